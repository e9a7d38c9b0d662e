// A client of the MI-compatible management API written as WSO2's mi and apictl Go clients are: Go's standard
// library only, the structs they decode into, and the report written with encoding/csv as `mi transaction report`
// writes it. MiGoClientTest runs it against the service.
//
// Usage: go run main.go BASE_URL USER PASSWORD YEAR MONTH START END CSV_FILE
package main

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

// TransactionCountInfo is what mi and apictl decode /management/transactions/report into.
type TransactionCountInfo struct {
	TransactionCounts [][]string `json:"TransactionCountData"`
}

// TransactionCount is what mi and apictl decode /management/transactions/count into.
type TransactionCount struct {
	Year             int   `json:"Year"`
	Month            int   `json:"Month"`
	TransactionCount int64 `json:"TransactionCount"`
}

// LoginResponse is what mi decodes /management/login into.
type LoginResponse struct {
	AccessToken string `json:"AccessToken"`
}

func get(url, authorization string, into interface{}) {
	request, err := http.NewRequest(http.MethodGet, url, nil)
	check(err)
	request.Header.Set("Authorization", authorization)
	response, err := http.DefaultClient.Do(request)
	check(err)
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		fail(fmt.Errorf("GET %s: status %d", url, response.StatusCode))
	}
	decoder := json.NewDecoder(response.Body)
	decoder.DisallowUnknownFields()
	check(decoder.Decode(into))
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 9 {
		fail(fmt.Errorf("usage: main BASE_URL USER PASSWORD YEAR MONTH START END CSV_FILE"))
	}
	base, user, password := os.Args[1], os.Args[2], os.Args[3]
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))

	var login LoginResponse
	get(base+"/management/login", basic, &login)
	bearer := "Bearer " + login.AccessToken

	var count TransactionCount
	get(base+"/management/transactions/count?year="+os.Args[4]+"&month="+os.Args[5], bearer, &count)
	fmt.Printf("count %d-%02d %d\n", count.Year, count.Month, count.TransactionCount)

	var report TransactionCountInfo
	get(base+"/management/transactions/report?start="+os.Args[6]+"&end="+os.Args[7], bearer, &report)
	fmt.Printf("report rows %d\n", len(report.TransactionCounts))

	file, err := os.Create(os.Args[8])
	check(err)
	writer := csv.NewWriter(file)
	check(writer.WriteAll(report.TransactionCounts))
	check(file.Close())
}
