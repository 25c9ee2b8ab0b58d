import Prometheus
import Synchronization

/// The server's Prometheus metrics (`GET /metrics`, text format 0.0.4):
///
/// ```
/// perceptron_http_requests_total{route,method,status}        counter
/// perceptron_http_request_duration_seconds{route}            histogram
/// perceptron_http_requests_in_flight                          gauge
/// perceptron_batch_rows{model}                                histogram (rows per forward pass)
/// perceptron_model_load_seconds{model}                        gauge (the current file's load time)
/// perceptron_model_reloads_total{model,result}                counter (result: ok, unchanged, refused)
/// perceptron_drift_*{model,column|class}                      gauges, see DriftMonitor
/// ```
/// Routes are the templates (`/v1/models/{name}:predict`), never the raw path, so a
/// client cannot grow the label set.
///
/// The per-request series are looked up in the registry once per label set and kept: the
/// registry's lookup builds the metric's name and labels every time, ~4 % of a one-row
/// request's CPU (`perf`, BENCHMARKS.md).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let inFlight: Gauge

    private struct RequestLabels: Hashable { var route: String, method: String, status: Int }
    private let requestSeries = Mutex<[RequestLabels: (count: Counter, duration: DurationHistogram)]>([:])
    private let batchSeries = Mutex<[String: ValueHistogram]>([:])

    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
    ]
    static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

    init() {
        inFlight = registry.makeGauge(descriptor: .init(namespace: "perceptron", metricName: "http_requests_in_flight", unitName: "",
                                                        helpText: "Requests being handled now."))
    }

    func request(route: String, method: String, status: Int, duration: Duration) {
        let series = requestSeries.withLock { known in
            let labels = RequestLabels(route: route, method: method, status: status)
            if let series = known[labels] { return series }
            let series = (
                count: registry.makeCounter(descriptor: .init(namespace: "perceptron", metricName: "http_requests", unitName: "total",
                                                              helpText: "HTTP requests by route template, method and status."),
                                            labels: [("route", route), ("method", method), ("status", String(status))]),
                duration: registry.makeDurationHistogram(descriptor: .init(namespace: "perceptron", metricName: "http_request_duration",
                                                                           unitName: "seconds",
                                                                           helpText: "Time from the request's head to its response, by route template."),
                                                         labels: [("route", route)], buckets: Self.latencyBuckets))
            known[labels] = series
            return series
        }
        series.count.increment()
        series.duration.record(duration)
    }

    func batch(model: String, rows: Int) {
        let histogram = batchSeries.withLock { known in
            if let histogram = known[model] { return histogram }
            let histogram = registry.makeValueHistogram(descriptor: .init(namespace: "perceptron", metricName: "batch", unitName: "rows",
                                                                          helpText: "Rows per forward pass (dynamic batching merges requests)."),
                                                        labels: [("model", model)], buckets: Self.batchBuckets)
            known[model] = histogram
            return histogram
        }
        histogram.record(Double(rows))
    }

    func loaded(model: String, seconds: Double) {
        registry.makeGauge(descriptor: .init(namespace: "perceptron", metricName: "model_load", unitName: "seconds",
                                             helpText: "Seconds the current model file took to read, check and prepare."),
                           labels: [("model", model)]).set(seconds)
    }

    func reload(model: String, result: String) {
        registry.makeCounter(descriptor: .init(namespace: "perceptron", metricName: "model_reloads", unitName: "total",
                                               helpText: "Reload attempts by result (ok, unchanged, refused)."),
                             labels: [("model", model), ("result", result)]).increment()
    }
}
