package org.radbridge.terminology;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A CSV file with a header row, read with Commons CSV. Lines starting with {@code #} before the
 * header are metadata in the form {@code key: value}.
 */
record CsvTable(Map<String, String> metadata, List<CSVRecord> rows) {
  private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder()
      .setHeader().setSkipHeaderRecord(true).setCommentMarker('#').setIgnoreSurroundingSpaces(true)
      .setIgnoreEmptyLines(true).get();

  static CsvTable read(Reader in, String what) throws IOException {
    try (CSVParser parser = CSVParser.parse(in, FORMAT)) {
      Map<String, String> metadata = new LinkedHashMap<>();
      if (parser.hasHeaderComment()) {
        for (String line : parser.getHeaderComment().split("\n")) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            metadata.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
          }
        }
      }
      return new CsvTable(metadata, parser.getRecords());
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
  }

  static CsvTable classpath(String path) {
    try (InputStream in = CsvTable.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("Missing classpath resource " + path);
      }
      return read(new InputStreamReader(in, StandardCharsets.UTF_8), path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
