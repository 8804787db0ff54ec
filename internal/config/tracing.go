package config

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
)

// Tracing is where OpenTelemetry spans go. With no endpoint tracing is off
// and costs nothing: no span is created anywhere.
type Tracing struct {
	// OTLPEndpoint is the base URL of an OTLP/HTTP collector
	// (http://collector:4318; spans go to /v1/traces under it); empty: off.
	OTLPEndpoint string
	// ServiceName names this service in the traces.
	ServiceName string
	// SampleRatio is the share of requests traced (0 to 1); a request whose
	// caller sent a sampled traceparent is traced whatever the ratio.
	SampleRatio float64
}

// DefaultTracing is tracing off, the service named dutychain, every
// request sampled once an endpoint is set.
var DefaultTracing = Tracing{ServiceName: "dutychain", SampleRatio: 1}

// bindTracing registers the tracing settings. The standard OpenTelemetry
// variables OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME are read first;
// the DUTYCHAIN_ ones and the flags override them.
func (c *Config) bindTracing(b *binder) {
	t := &c.Tracing
	if v, ok := os.LookupEnv("OTEL_EXPORTER_OTLP_ENDPOINT"); ok {
		t.OTLPEndpoint = v
	}
	if v, ok := os.LookupEnv("OTEL_SERVICE_NAME"); ok && v != "" {
		t.ServiceName = v
	}
	b.str(&t.OTLPEndpoint, "otlp-endpoint", "DUTYCHAIN_OTLP_ENDPOINT", "OTLP/HTTP collector base URL for traces, e.g. http://otel-collector:4318 (also OTEL_EXPORTER_OTLP_ENDPOINT; empty: tracing off)")
	b.str(&t.ServiceName, "trace-service-name", "DUTYCHAIN_TRACE_SERVICE_NAME", "service name in traces (also OTEL_SERVICE_NAME)")
	b.float(&t.SampleRatio, "trace-sample-ratio", "DUTYCHAIN_TRACE_SAMPLE_RATIO", "share of requests traced, 0 to 1")
}

func (b *binder) float(p *float64, name, env, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s=%q: want a number", env, v))
		}
		*p = x
	}
	b.fs.Float64Var(p, name, *p, usage+" (env "+env+")")
}

// verifyTracing checks the tracing settings when an endpoint is set.
func (c *Config) verifyTracing() []error {
	t := c.Tracing
	if t.OTLPEndpoint == "" {
		return nil
	}
	var errs []error
	if u, err := url.Parse(t.OTLPEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("otlp-endpoint %q: want http(s)://host:port, e.g. http://otel-collector:4318", t.OTLPEndpoint))
	}
	if t.ServiceName == "" {
		errs = append(errs, fmt.Errorf("trace-service-name: must not be empty"))
	}
	if t.SampleRatio < 0 || t.SampleRatio > 1 {
		errs = append(errs, fmt.Errorf("trace-sample-ratio %g: want between 0 and 1", t.SampleRatio))
	}
	return errs
}
