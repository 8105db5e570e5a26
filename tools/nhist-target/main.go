// nhist-target: a scrape target for the native histogram parity test. It
// exposes, with client_golang's content negotiation (protobuf, OpenMetrics,
// text), a native histogram, a classic histogram and a counter with
// exemplars. Observations are made once at start, so every scrape returns
// the same values. Built in GOPATH mode from Debian's packages (no module
// downloads): GOPATH=/usr/share/gocode GO111MODULE=off go build.
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	flag.Parse()

	reg := prometheus.NewRegistry()
	native := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:                         "nh_latency_seconds",
		Help:                         "A native histogram.",
		NativeHistogramBucketFactor:  1.1,
		NativeHistogramZeroThreshold: 0.001,
	}, []string{"path"})
	classic := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "classic_request_seconds",
		Help:    "A classic histogram.",
		Buckets: []float64{0.1, 0.5, 1, 2.5, 10},
	})
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "nh_requests_total",
		Help: "A counter with exemplars.",
	}, []string{"code"})
	reg.MustRegister(native, classic, requests)

	values := []float64{0, 0.0005, 0.002, 0.013, 0.05, 0.21, 0.21, 0.9, 1.7, 3.3, 12, -0.4, -2}
	for i, v := range values {
		for _, p := range []string{"/a", "/b"} {
			if i == 5 {
				native.WithLabelValues(p).(prometheus.ExemplarObserver).ObserveWithExemplar(v, prometheus.Labels{"trace_id": "nh-" + p})
			} else {
				native.WithLabelValues(p).Observe(v)
			}
		}
		if v >= 0 {
			if i == 7 {
				classic.(prometheus.ExemplarObserver).ObserveWithExemplar(v, prometheus.Labels{"trace_id": "classic-1"})
			} else {
				classic.Observe(v)
			}
		}
	}
	requests.WithLabelValues("200").(prometheus.ExemplarAdder).AddWithExemplar(42, prometheus.Labels{"trace_id": "abc123", "span_id": "s1"})
	requests.WithLabelValues("500").(prometheus.ExemplarAdder).AddWithExemplar(3, prometheus.Labels{"trace_id": "def456"})

	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	log.Printf("listening on %s", *listen)
	log.Fatal(http.ListenAndServe(*listen, nil))
}
