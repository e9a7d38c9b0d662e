package org.txcounter.service.statement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.txcounter.service.json.Json;

/**
 * The signed statement as finance reads it: CSV (one row per node and transport, the totals, the adjustments and the
 * signature's key fingerprint) and PDF (deployment, month, totals, the per-node table, coverage, adjustments and the
 * fingerprint). Both are made from the signed JSON document; the JSON is what proves them.
 *
 * <p>Stateless and thread-safe.
 */
public final class StatementFormats {

    private static final ObjectMapper JSON = Json.MAPPER;
    private static final float MARGIN = 50;
    private static final float LINE = 14;

    private StatementFormats() {
    }

    /** The file name a download of {@code month}'s statement gets, e.g. {@code statement-prod-eu-2026-11.pdf}. */
    public static String fileName(String deployment, String month, String extension) {
        return "statement-" + deployment + "-" + month + "." + extension;
    }

    /** The statement as CSV, lines ending CRLF. */
    public static String csv(String signedDocument) {
        JsonNode root = read(signedDocument);
        JsonNode statement = root.path("statement");
        StringBuilder out = new StringBuilder();
        out.append("record,month,node_id,transport,transaction_count,detail\r\n");
        String month = statement.path("month").asText();
        for (JsonNode row : statement.path("rows")) {
            out.append("row,").append(month).append(',').append(row.path("nodeId").asText()).append(',')
                    .append(row.path("transport").asText()).append(',').append(row.path("count").asLong())
                    .append(",\r\n");
        }
        statement.path("totals").path("byTransport").properties().forEach(entry -> out.append("total,").append(month)
                .append(",,").append(entry.getKey()).append(',').append(entry.getValue().asLong()).append(",\r\n"));
        out.append("total,").append(month).append(",,ALL,").append(statement.path("totals").path("total").asLong())
                .append(",\r\n");
        for (JsonNode adjustment : statement.path("adjustments").path("rows")) {
            out.append("adjustment,").append(month).append(',').append(adjustment.path("nodeId").asText()).append(',')
                    .append(adjustment.path("transport").asText()).append(',')
                    .append(adjustment.path("count").asLong()).append(",late interval of ")
                    .append(adjustment.path("originMonth").asText()).append(" seq ")
                    .append(adjustment.path("seq").asLong()).append("\r\n");
        }
        for (JsonNode row : statement.path("importedMi").path("rows")) {
            out.append("imported,").append(month).append(',').append(row.path("nodeId").asText()).append(',')
                    .append(row.path("source").asText()).append(',').append(row.path("count").asLong())
                    .append(",imported from ").append(row.path("source").asText()).append(" (it reported ")
                    .append(row.path("reportedCount").asLong()).append(")\r\n");
        }
        out.append("billable_total,").append(month).append(",,ALL,").append(statement.path("billableTotal").asLong())
                .append(",\r\n");
        out.append("signature,").append(month).append(",,,,").append(root.path("signature").path("algorithm").asText())
                .append(' ').append(root.path("signature").path("publicKey").asText()).append("\r\n");
        return out.toString();
    }

    /** The statement as a PDF document. */
    public static byte[] pdf(String signedDocument) {
        JsonNode root = read(signedDocument);
        JsonNode statement = root.path("statement");
        List<String> lines = new ArrayList<>();
        lines.add("Deployment: " + statement.path("deployment").asText());
        lines.add("Month: " + statement.path("month").asText() + " (" + statement.path("timeZone").asText() + ", "
                + statement.path("periodStart").asText() + " to " + statement.path("periodEnd").asText() + ")");
        lines.add("");
        lines.add("Total transactions: " + statement.path("totals").path("total").asLong());
        statement.path("totals").path("byTransport").properties().forEach(entry ->
                lines.add("  " + entry.getKey() + ": " + entry.getValue().asLong()));
        lines.add("Adjustments (late intervals of closed months): " + statement.path("adjustments").path("total")
                .asLong());
        lines.add("Imported from MI's counter: " + statement.path("importedMi").path("total").asLong());
        lines.add("Billable total: " + statement.path("billableTotal").asLong());
        lines.add("Forecast at close: " + statement.path("forecast").path("projectedTotal").asLong() + " ("
                + statement.path("forecast").path("model").asText() + ")");
        lines.add("");
        lines.add("Per node and transport:");
        for (JsonNode row : statement.path("rows")) {
            lines.add(String.format("  %-40s %-6s %15d", row.path("nodeId").asText(), row.path("transport").asText(),
                    row.path("count").asLong()));
        }
        lines.add("");
        lines.add("Coverage and chain heads:");
        for (JsonNode node : statement.path("nodes")) {
            JsonNode coverage = node.path("coverage");
            lines.add("  " + node.path("nodeId").asText() + ": " + coverage.path("presentIntervals").asLong() + " of "
                    + coverage.path("expectedIntervals").asLong() + " intervals; head seq "
                    + node.path("chainHead").path("seq").asLong());
            for (JsonNode gap : coverage.path("silentSpans")) {
                lines.add("    silent " + gap.path("start").asText() + " to " + gap.path("end").asText() + " ("
                        + gap.path("intervals").asLong() + " intervals)");
            }
        }
        lines.add("");
        lines.add("Adjustments:");
        for (JsonNode adjustment : statement.path("adjustments").path("rows")) {
            lines.add("  " + adjustment.path("nodeId").asText() + " " + adjustment.path("transport").asText() + " "
                    + adjustment.path("count").asLong() + " from " + adjustment.path("originMonth").asText()
                    + " (seq " + adjustment.path("seq").asLong() + ", recorded "
                    + adjustment.path("recordedAt").asText() + ")");
        }
        lines.add("");
        lines.add("Imported from MI's counter (import-mi):");
        for (JsonNode row : statement.path("importedMi").path("rows")) {
            lines.add("  " + row.path("nodeId").asText() + " " + row.path("count").asLong() + " (MI reported "
                    + row.path("reportedCount").asLong() + ")");
        }
        lines.add("");
        lines.add("Ledger check at close: " + (statement.path("ledgerCheck").path("valid").asBoolean()
                ? "no findings" : statement.path("ledgerCheck").path("findings").size() + " finding(s)"));
        lines.add("Closed " + statement.path("closedAt").asText() + " by " + statement.path("closedBy").asText());
        lines.add("Signature: " + root.path("signature").path("algorithm").asText() + ", key "
                + root.path("signature").path("publicKey").asText());
        lines.add("Verify offline: java -jar txcounter.jar verify-statement <statement.json> --public-key <key.pem>");
        return render("Transaction statement " + statement.path("month").asText(), lines);
    }

    private static byte[] render(String title, List<String> lines) {
        try (PDDocument document = new PDDocument()) {
            PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
            PDType1Font mono = new PDType1Font(Standard14Fonts.FontName.COURIER);
            int index = 0;
            boolean first = true;
            while (first || index < lines.size()) {
                PDPage page = new PDPage(PDRectangle.A4);
                document.addPage(page);
                float y = page.getMediaBox().getHeight() - MARGIN;
                try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                    if (first) {
                        content.beginText();
                        content.setFont(bold, 16);
                        content.newLineAtOffset(MARGIN, y);
                        content.showText(title);
                        content.endText();
                        y -= 2 * LINE;
                        first = false;
                    }
                    while (index < lines.size() && y > MARGIN) {
                        content.beginText();
                        content.setFont(mono, 9);
                        content.newLineAtOffset(MARGIN, y);
                        content.showText(printable(lines.get(index)));
                        content.endText();
                        y -= LINE;
                        index++;
                    }
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot render the statement PDF", e);
        }
    }

    /** The standard PDF fonts cover Latin-1; anything else is shown as '?'. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append((c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c <= 0xff) ? c : '?');
        }
        return out.toString();
    }

    private static JsonNode read(String signedDocument) {
        try {
            return JSON.readTree(signedDocument);
        } catch (IOException e) {
            throw new UncheckedIOException("The stored statement is not JSON", e);
        }
    }
}
