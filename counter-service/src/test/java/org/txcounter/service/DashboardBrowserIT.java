package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.txcounter.core.Await;
import org.txcounter.service.security.PasswordHashing;

/**
 * The dashboard in a real browser: Debian's headless Chromium driven through its chromedriver, against the
 * packaged jar with real traffic through the passthrough. Every console message, CSP violation and network request
 * of the browser is recorded and checked at the end.
 *
 * <p>Runs where {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} exist ({@code .ci/run} installs them);
 * elsewhere it is skipped with the reason, unless {@code TXN_TEST_BROWSER_REQUIRED=true}, when it fails instead.
 * Nothing is downloaded: the browser and the driver are given by path, so Selenium Manager never runs.
 */
class DashboardBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final boolean REQUIRED = "true".equalsIgnoreCase(System.getenv("TXN_TEST_BROWSER_REQUIRED"));
    private static final int REQUESTS = 1_234;
    private static final int QUOTA = 1_500;
    private static final String NODE = "browser-node";
    private static final String VIEWER = "auditor";
    private static final String VIEWER_PASSWORD = "viewer password 2026";
    private static final String ADMIN = "ops";
    private static final String ADMIN_PASSWORD = "correct horse battery staple";
    private static final Duration FLUSH_WAIT = Duration.ofSeconds(150);
    private static final Duration PAGE_WAIT = Duration.ofSeconds(30);
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BROWSER_INTERNAL = Pattern.compile("(chrome|chrome-untrusted|devtools|about|data):");
    /** Records every CSP violation of each page, from before the page's own scripts run. */
    private static final String CSP_RECORDER = "window.__cspViolations = [];"
            + "document.addEventListener('securitypolicyviolation', function (e) {"
            + " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI); });";

    @TempDir
    Path workDir;

    private OkBackend backend;
    private ServiceProcess service;
    private ChromeDriver browser;
    private HttpClient api;
    private String origin;
    private final List<String> consoleErrors = new ArrayList<>();
    private final List<String> cspViolations = new ArrayList<>();
    private final Set<String> requested = new HashSet<>();

    @BeforeEach
    void start() throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        String reason = "Debian's chromium and chromium-driver are not installed (" + CHROMIUM + ", " + CHROMEDRIVER
                + "): apt-get install chromium chromium-driver, as .ci/run does";
        if (REQUIRED) {
            assertThat(installed).as(reason).isTrue();
        }
        Assumptions.assumeTrue(installed, reason);

        backend = new OkBackend();
        Files.writeString(workDir.resolve("deployment.toml"), """
                [node]
                id = "%s"

                [management_api]
                port = 0

                [[management_api.user]]
                name = "%s"
                password_hash = "%s"
                role = "viewer"

                [[management_api.user]]
                name = "%s"
                password_hash = "%s"
                role = "admin"

                [licence]
                monthly_quota = %d

                [passthrough]
                port = 0

                [[passthrough.route]]
                prefix = "/api"
                backend = "http://127.0.0.1:%d/backend"
                """.formatted(NODE, VIEWER, PasswordHashing.hash(VIEWER_PASSWORD.toCharArray(), 1_000),
                ADMIN, PasswordHashing.hash(ADMIN_PASSWORD.toCharArray(), 1_000), QUOTA, backend.port()));
        service = ServiceProcess.start(workDir);
        origin = "https://127.0.0.1:" + service.managementPort();
        api = HttpClient.newBuilder().sslContext(trustingTheGeneratedCertificate()).build();
        browser = chromium(workDir.resolve("downloads"));
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.terminate();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private ChromeDriver chromium(Path downloads) throws IOException {
        Files.createDirectories(downloads);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu",
                "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--disable-extensions", "--lang=en-US", "--window-size=1280,900",
                "--user-data-dir=" + Files.createDirectories(workDir.resolve("chromium-profile")));
        // The service's certificate is the self-signed one it generated at its first start.
        options.setAcceptInsecureCerts(true);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver chrome = new ChromeDriver(driver, options);
        chrome.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", CSP_RECORDER));
        chrome.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow",
                "downloadPath", downloads.toAbsolutePath().toString()));
        return chrome;
    }

    @Test
    void operatorsSeeTheMonthChartsNodesAndLedgerAndOnlyAdminsRunTheCheck() throws Exception {
        sendTraffic();

        // No session: the dashboard sends the browser to the login page.
        browser.get(origin + "/dashboard/");
        waitFor(() -> browser.getCurrentUrl().endsWith("/dashboard/login.html"));

        // A wrong password shows the API's own message.
        String apiMessage = JSON.readTree(get("/management/login", basic(VIEWER, "not the password")).body())
                .path("error").path("message").asText();
        assertThat(apiMessage).isEqualTo("Unknown user or wrong password.");
        logIn(VIEWER, "not the password either");
        WebElement loginError = browser.findElement(By.id("login-error"));
        waitFor(loginError::isDisplayed);
        assertThat(loginError.getText()).isEqualTo(apiMessage);
        assertThat(browser.getCurrentUrl()).endsWith("/dashboard/login.html");
        recordPage();
        // Chromium logs every 4xx answer as an error; this refused login is the one the step asked for.
        assertThat(consoleErrors).containsExactly(origin
                + "/management/login - Failed to load resource: the server responded with a status of 401 "
                + "(Unauthorized)");
        consoleErrors.clear();

        JsonNode count = waitForTheFlush();
        long shownByApi = count.path("total").asLong() + count.path("unflushed").path("total").asLong();
        assertThat(shownByApi).isEqualTo(REQUESTS);
        YearMonth month = YearMonth.of(count.path("year").asInt(), count.path("month").asInt());
        // The previous month saw no node of this deployment, so an admin may close it at once, as a script would.
        YearMonth previous = month.minusMonths(1);
        HttpResponse<String> closed = api.send(HttpRequest.newBuilder(URI.create(origin
                + "/transaction/close-month?month=" + previous)).header("Authorization", basic(ADMIN, ADMIN_PASSWORD))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(closed.statusCode()).as(closed.body()).isEqualTo(201);

        // The viewer: this month's total as /transaction/count has it, with thousands separators.
        logIn(VIEWER, VIEWER_PASSWORD);
        waitForDashboard();
        assertThat(browser.findElement(By.id("month-total")).getText()).isEqualTo("1,234");
        assertThat(browser.findElement(By.id("zone")).getText()).isEqualTo("Times in UTC");
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo(VIEWER + " (viewer)");

        // The daily chart: HTTP and JMS for this month and the previous one; this month's HTTP bars add up.
        assertThat(datasets("daily-chart")).isEqualTo(4);
        assertThat(datasetLabels("daily-chart")).containsExactly("HTTP " + month, "JMS " + month,
                "HTTP " + month.minusMonths(1), "JMS " + month.minusMonths(1));
        assertThat(datasetSum("daily-chart", 0)).isEqualTo(REQUESTS);
        assertThat(datasetSum("daily-chart", 2)).isZero();
        assertThat(paintedPixels("daily-chart")).as("painted pixels of the daily chart").isGreaterThan(500);

        // The 12-month chart, stacked by transport and then by node.
        assertThat(datasetLabels("monthly-chart")).containsExactly("HTTP", "JMS");
        assertThat(labelCount("monthly-chart")).isEqualTo(12);
        assertThat(datasetSum("monthly-chart", 0)).isEqualTo(REQUESTS);
        browser.findElement(By.id("monthly-by-node")).click();
        assertThat(datasetLabels("monthly-chart")).containsExactly(NODE);
        assertThat(datasetSum("monthly-chart", 0)).isEqualTo(REQUESTS);
        assertThat(browser.findElement(By.id("monthly-by-node")).getAttribute("aria-pressed")).isEqualTo("true");
        assertThat(paintedPixels("monthly-chart")).as("painted pixels of the monthly chart").isGreaterThan(500);

        // The node: reporting, with its whole share of the month.
        WebElement node = browser.findElement(By.cssSelector("#nodes tbody tr[data-node='" + NODE + "']"));
        List<WebElement> cells = node.findElements(By.tagName("td"));
        assertThat(cells.get(1).getText()).isEqualTo("reporting");
        assertThat(cells.get(3).getText()).isEqualTo("none");
        assertThat(cells.get(4).getText()).isEqualTo("1,234");
        assertThat(cells.get(5).getText()).isEqualTo("100%");

        // The quota, its thresholds and the forecast.
        assertThat(browser.findElement(By.id("quota-used")).getText())
                .isEqualTo("1,234 of 1,500 (82.3% of the quota)");
        assertThat(threshold(80)).startsWith("80 %: reached");
        assertThat(threshold(90)).isEqualTo("90 %: not reached");
        assertThat(threshold(100)).isEqualTo("100 %: not reached");
        assertThat(browser.findElement(By.id("forecast")).getText())
                .matches("Forecast for the month's end: \\d{1,3}(,\\d{3})* \\(\\d+(\\.\\d)?% of the quota\\)");

        // The statements: the open month's status, and the closed month with its downloads.
        assertThat(browser.findElement(By.id("open-month")).getText()).startsWith(month + " is open; it ends ");
        WebElement statement = browser.findElement(By.cssSelector("#statements tbody tr[data-month='" + previous
                + "']"));
        assertThat(statement.findElements(By.tagName("button"))).extracting(WebElement::getText)
                .containsExactly("JSON", "CSV", "PDF");

        // The viewer sees the ledger check's state, and no button to run it.
        assertThat(browser.findElement(By.id("ledger-status")).getText())
                .isEqualTo("Not run since the service started.");
        assertThat(browser.findElements(By.id("ledger-run"))).isEmpty();
        assertThat(browser.findElements(By.tagName("button"))).extracting(WebElement::getText)
                .doesNotContain("Run the ledger check");

        // The month's CSV, downloaded from the page, is what the API serves.
        browser.findElement(By.id("download-csv")).click();
        Path csv = workDir.resolve("downloads").resolve("transactions-" + month + "-to-" + month + ".csv");
        waitFor(() -> Files.exists(csv) && Files.size(csv) > 0);
        String served = get("/transaction/report?start=" + month + "&end=" + month + "&format=csv",
                basic(VIEWER, VIEWER_PASSWORD)).body();
        assertThat(Files.readString(csv)).isEqualTo(served).isEqualTo(
                "month,node_id,transport,transaction_count\r\n" + month + "," + NODE + ",HTTP," + REQUESTS + "\r\n");

        // The closed month's CSV statement, downloaded from the page, is the API's, byte for byte.
        statement.findElement(By.cssSelector("button[data-format='csv']")).click();
        HttpResponse<String> statementCsv = get("/transaction/statement?month=" + previous + "&format=csv",
                basic(VIEWER, VIEWER_PASSWORD));
        assertThat(statementCsv.statusCode()).isEqualTo(200);
        String fileName = statementCsv.headers().firstValue("Content-Disposition").orElseThrow()
                .replaceFirst(".*filename=\"([^\"]+)\".*", "$1");
        assertThat(fileName).endsWith("-" + previous + ".csv");
        Path downloadedStatement = workDir.resolve("downloads").resolve(fileName);
        waitFor(() -> Files.exists(downloadedStatement) && Files.size(downloadedStatement) > 0);
        assertThat(Files.readString(downloadedStatement)).isEqualTo(statementCsv.body()).contains(previous.toString());

        screenshots();
        String token = (String) script("return JSON.parse(sessionStorage.getItem('txcounter.session')).token");
        assertThat(get("/transaction/count", "Bearer " + token).statusCode()).isEqualTo(200);
        recordPage();

        // After logout the token is dead and the dashboard sends the browser back to the login page.
        browser.findElement(By.id("logout")).click();
        waitFor(() -> browser.getCurrentUrl().endsWith("/dashboard/login.html"));
        assertThat(get("/transaction/count", "Bearer " + token).statusCode()).isEqualTo(401);
        browser.get(origin + "/dashboard/");
        waitFor(() -> browser.getCurrentUrl().endsWith("/dashboard/login.html"));
        assertThat(script("return sessionStorage.getItem('txcounter.session')")).isNull();
        recordPage();

        // The admin runs the ledger check from the page.
        logIn(ADMIN, ADMIN_PASSWORD);
        waitForDashboard();
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo(ADMIN + " (admin)");
        Instant beforeCheck = Instant.now();
        browser.findElement(By.id("ledger-run")).click();
        waitFor(() -> browser.findElement(By.id("ledger-status")).getText().equals("Intact: no finding."));
        assertThat(browser.findElement(By.id("ledger-detail")).getText()).startsWith("Checked ")
                .contains(" by ops in ");
        JsonNode last = JSON.readTree(get("/transaction/verify/last", basic(VIEWER, VIEWER_PASSWORD)).body());
        assertThat(last.path("ran").asBoolean()).isTrue();
        assertThat(last.path("checkedBy").asText()).isEqualTo(ADMIN);
        assertThat(last.path("valid").asBoolean()).isTrue();
        assertThat(Instant.parse(last.path("checkedAt").asText())).isAfterOrEqualTo(beforeCheck.minusSeconds(1));
        recordPage();

        assertThat(consoleErrors).as("console errors").isEmpty();
        assertThat(cspViolations).as("CSP violations").isEmpty();
        assertThat(requested).as("requests of the browser").contains(origin + "/dashboard/vendor/chart.umd.min.js",
                origin + "/transaction/daily?year=" + month.getYear() + "&month=" + month.getMonthValue());
        assertThat(requested).as("requests to any host but the service")
                .allSatisfy(url -> assertThat(url).matches("(blob:)?" + Pattern.quote(origin) + "/.*"));

        // The recorders themselves: an inline script on the page is refused, and both see it.
        script("var s = document.createElement('script'); s.textContent = 'window.inlineRan = true;';"
                + " document.body.appendChild(s);");
        assertThat(script("return window.inlineRan === true")).isEqualTo(Boolean.FALSE);
        recordPage();
        assertThat(cspViolations).anySatisfy(v -> assertThat(v).startsWith("script-src"));
        assertThat(consoleErrors).anySatisfy(e -> assertThat(e).contains("Content Security Policy"));
    }

    private void sendTraffic() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> proxied = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + service.passthroughPort() + "/api/orders/" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(proxied.statusCode()).isEqualTo(200);
        }
    }

    /** /transaction/count once the interval holding the traffic is written: nothing left unflushed. */
    private JsonNode waitForTheFlush() throws Exception {
        return Await.awaitValue(FLUSH_WAIT, "the traffic written",
                () -> JSON.readTree(get("/transaction/count", basic(VIEWER, VIEWER_PASSWORD)).body()),
                count -> count.path("unflushed").path("total").asLong() == 0
                        && count.path("total").asLong() == REQUESTS);
    }

    private void logIn(String user, String password) {
        if (!browser.getCurrentUrl().endsWith("/dashboard/login.html")) {
            browser.get(origin + "/dashboard/login.html");
        }
        WebElement name = browser.findElement(By.id("user"));
        name.clear();
        name.sendKeys(user);
        WebElement secret = browser.findElement(By.id("password"));
        secret.clear();
        secret.sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
    }

    private String threshold(int percent) {
        return browser.findElement(By.cssSelector("#thresholds li[data-percent='" + percent + "']")).getText();
    }

    private void waitForDashboard() throws IOException, InterruptedException {
        waitFor(() -> browser.getCurrentUrl().equals(origin + "/dashboard/")
                && "ready".equals(script("return document.body.dataset.state")));
    }

    private long datasets(String canvas) {
        return (Long) script("return Chart.getChart(document.getElementById(arguments[0])).data.datasets.length",
                canvas);
    }

    @SuppressWarnings("unchecked")
    private List<String> datasetLabels(String canvas) {
        return (List<String>) script("return Chart.getChart(document.getElementById(arguments[0])).data.datasets"
                + ".map(function (d) { return d.label; })", canvas);
    }

    private long labelCount(String canvas) {
        return (Long) script("return Chart.getChart(document.getElementById(arguments[0])).data.labels.length",
                canvas);
    }

    private long datasetSum(String canvas, int index) {
        return (Long) script("return Chart.getChart(document.getElementById(arguments[0])).data.datasets[arguments[1]]"
                + ".data.reduce(function (a, b) { return a + b; }, 0)", canvas, index);
    }

    /** Pixels of the canvas that are not transparent: zero for a chart that drew nothing. */
    private long paintedPixels(String canvas) {
        return (Long) script("var c = document.getElementById(arguments[0]);"
                + "var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; var n = 0;"
                + "for (var i = 3; i < d.length; i += 4) { if (d[i] !== 0) { n++; } } return n;", canvas);
    }

    private void screenshots() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        for (int width : new int[] {1280, 390}) {
            browser.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", 900,
                    "deviceScaleFactor", 1, "mobile", width < 600));
            waitFor(() -> ((Long) script("return window.innerWidth")) == width);
            script("window.scrollTo(0, 0)");
            assertThat((Long) script("return document.documentElement.scrollWidth"))
                    .as("page width at %d px: nothing wider than the screen", width).isLessThanOrEqualTo(width);
            byte[] png = browser.getScreenshotAs(OutputType.BYTES);
            Files.write(SCREENSHOTS.resolve("dashboard-" + width + ".png"), png);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(image.getWidth()).isEqualTo(width);
            Set<Integer> colours = new HashSet<>();
            long background = image.getRGB(0, image.getHeight() - 1);
            long different = 0;
            for (int y = 0; y < image.getHeight(); y += 2) {
                for (int x = 0; x < image.getWidth(); x += 2) {
                    int rgb = image.getRGB(x, y);
                    colours.add(rgb);
                    if (rgb != background) {
                        different++;
                    }
                }
            }
            long sampled = (long) ((image.getHeight() + 1) / 2) * ((image.getWidth() + 1) / 2);
            assertThat(colours.size()).as("colours in the %d px screenshot", width).isGreaterThan(50);
            assertThat(different * 100 / sampled).as("%% of the %d px screenshot that is not background", width)
                    .isGreaterThan(10);
        }
        browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }

    /** Takes what the browser logged so far and the current page's CSP violations into the records. */
    @SuppressWarnings("unchecked")
    private void recordPage() throws IOException {
        Object violations = script("return window.__cspViolations || []");
        cspViolations.addAll((List<String>) violations);
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()
                    || entry.getMessage().contains("Content Security Policy")) {
                consoleErrors.add(entry.getMessage());
            }
        }
        for (LogEntry entry : browser.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = JSON.readTree(entry.getMessage()).path("message");
            String url = message.path("params").path("request").path("url").asText();
            // chrome:// and the like are the browser's own pages (its new-tab page at start), never the network.
            if (message.path("method").asText().equals("Network.requestWillBeSent") && !BROWSER_INTERNAL.matcher(url)
                    .lookingAt()) {
                requested.add(url);
            }
        }
    }

    private Object script(String source, Object... arguments) {
        return ((JavascriptExecutor) browser).executeScript(source, arguments);
    }

    /** A condition of the page or of the downloads, asked again until it holds. */
    @FunctionalInterface
    private interface Condition {
        boolean holds() throws IOException;
    }

    /** Asks {@code condition} every 100 ms until it holds; fails after {@link #PAGE_WAIT}, naming the page. */
    private void waitFor(Condition condition) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(PAGE_WAIT);
        while (!condition.holds()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Not within " + PAGE_WAIT + " on " + browser.getCurrentUrl() + ":\n"
                        + browser.findElement(By.tagName("body")).getText());
            }
            Thread.sleep(100);
        }
    }

    private HttpResponse<String> get(String pathAndQuery, String authorization) throws Exception {
        return api.send(HttpRequest.newBuilder(URI.create(origin + pathAndQuery)).header("Authorization",
                authorization).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The test's own client trusts whatever certificate the service presents: it generated its own. */
    private static SSLContext trustingTheGeneratedCertificate() throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
        return context;
    }
}
