package org.radbridge.server.workflow;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code GET /fhir/$turnaround?start=…&end=…}: a summary {@code MeasureReport} of the loop over
 * orders whose final report falls in the period (default: the last 24 hours). One group per figure
 * — {@code count}, {@code median-minutes}, {@code p90-minutes}, {@code within-sla},
 * {@code within-30-minutes} — each with its overall score and stratifiers by community centre,
 * reading hospital, modality, priority and day. {@code GET /fhir/ServiceRequest/[id]/$turnaround}:
 * that order's timestamps.
 */
public class TurnaroundProvider {
  public static final String MEASURE = "https://radbridge.org/fhir/Measure/turnaround";
  public static final String FIGURES = "https://radbridge.org/fhir/CodeSystem/turnaround-figure";
  private final TurnaroundFigures figures;

  private final org.radbridge.server.store.ResourceReader reader;
  private final java.util.function.Supplier<org.radbridge.server.store.Visibility> visibility;

  public TurnaroundProvider(TurnaroundFigures figures, org.radbridge.server.store.ResourceReader reader,
      java.util.function.Supplier<org.radbridge.server.store.Visibility> visibility) {
    this.reader = reader;
    this.visibility = visibility;
    this.figures = figures;
  }

  @Operation(name = "$turnaround", idempotent = true)
  public MeasureReport turnaround(@OperationParam(name = "start", max = 1) DateTimeType start,
      @OperationParam(name = "end", max = 1) DateTimeType end) {
    Instant to = end == null || end.isEmpty() ? Instant.now() : end.getValue().toInstant();
    Instant from = start == null || start.isEmpty() ? to.minus(Duration.ofHours(24)) : start.getValue().toInstant();
    if (!from.isBefore(to)) {
      throw new InvalidRequestException("$turnaround: start (" + from + ") must be before end (" + to + ")");
    }
    List<TurnaroundFigures.Figures> rows = figures.figures(from, to);
    MeasureReport r = new MeasureReport();
    r.setStatus(MeasureReport.MeasureReportStatus.COMPLETE);
    r.setType(MeasureReport.MeasureReportType.SUMMARY);
    r.setMeasure(MEASURE);
    r.setDate(new Date());
    r.getPeriod().setStart(Date.from(from)).setEnd(Date.from(to));
    for (String figure : List.of("count", "median-minutes", "p90-minutes", "within-sla", "within-30-minutes")) {
      MeasureReport.MeasureReportGroupComponent g = r.addGroup();
      g.setCode(new CodeableConcept(new Coding(FIGURES, figure, null)));
      TurnaroundFigures.Figures all = rows.stream().filter(f -> f.group() == null).findFirst().orElse(null);
      g.addPopulation().setCode(new CodeableConcept(new Coding(
          "http://terminology.hl7.org/CodeSystem/measure-population", "initial-population", null)))
          .setCount(all == null ? 0 : (int) all.count());
      if (all != null) {
        g.setMeasureScore(score(figure, all));
      }
      for (String grouping : TurnaroundFigures.GROUPINGS.keySet()) {
        MeasureReport.MeasureReportGroupStratifierComponent s = g.addStratifier();
        s.addCode(new CodeableConcept(new Coding(FIGURES, grouping, null)));
        for (TurnaroundFigures.Figures f : rows) {
          if (grouping.equals(f.group())) {
            MeasureReport.StratifierGroupComponent stratum = s.addStratum();
            stratum.setValue(new CodeableConcept().setText(f.value()));
            stratum.addPopulation().setCode(new CodeableConcept(new Coding(
                "http://terminology.hl7.org/CodeSystem/measure-population", "initial-population", null)))
                .setCount((int) f.count());
            stratum.setMeasureScore(score(figure, f));
          }
        }
      }
    }
    return r;
  }

  private static Quantity score(String figure, TurnaroundFigures.Figures f) {
    return switch (figure) {
      case "count" -> new Quantity(f.count());
      case "median-minutes" -> minutes(f.medianMinutes());
      case "p90-minutes" -> minutes(f.p90Minutes());
      case "within-sla" -> new Quantity().setValue(round(f.withinSla(), 3));
      default -> new Quantity().setValue(round(f.within30(), 3));
    };
  }

  private static Quantity minutes(double v) {
    return new Quantity().setValue(round(v, 1)).setUnit("min").setSystem("http://unitsofmeasure.org").setCode("min");
  }

  private static java.math.BigDecimal round(double v, int places) {
    return java.math.BigDecimal.valueOf(v).setScale(places, java.math.RoundingMode.HALF_UP);
  }

  @Operation(name = "$turnaround", idempotent = true, typeName = "ServiceRequest")
  public Parameters order(@IdParam IIdType id) {
    reader.read("ServiceRequest", id.getIdPart(), visibility.get()); // 404 for an order the reader may not see
    Map<String, Object> row = figures.order(id.getIdPart());
    if (row == null) {
      throw new ResourceNotFoundException("No turnaround record for ServiceRequest/" + id.getIdPart());
    }
    Parameters p = new Parameters();
    for (Map.Entry<String, Object> e : row.entrySet()) {
      if (e.getValue() == null) {
        continue;
      }
      String name = e.getKey().replace("_at", "").replace('_', '-');
      if (e.getValue() instanceof java.sql.Timestamp t) {
        p.addParameter().setName(name).setValue(new InstantType(new Date(t.getTime())));
      } else {
        p.addParameter().setName(name).setValue(new StringType(e.getValue().toString()));
      }
    }
    return p;
  }
}
