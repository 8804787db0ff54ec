package server

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// graphQLResponseJSON is the media type of the GraphQL-over-HTTP spec; a
// client asks for it with Accept and then gets the spec's status codes.
const graphQLResponseJSON = "application/graphql-response+json"

// specStatus wraps a gqlgen transport so that its status codes follow the
// GraphQL-over-HTTP spec. A request error (the document does not parse or
// validate, a limit refuses it, a persisted query is unknown) is answered
//   - under application/json (the default): 200 with errors, as clients
//     such as Apollo expect; gqlgen says 422 for parse and validation errors;
//   - under application/graphql-response+json: 400 with errors and no data
//     key; gqlgen says 200 for refusals by extensions and keeps "data": null.
//
// Execution results and the transports' own HTTP errors pass unchanged.
type specStatus struct{ graphql.Transport }

// Do implements graphql.Transport.
func (s specStatus) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	sw := &specWriter{ResponseWriter: w}
	s.Transport.Do(sw, r, observedExecutor{GraphExecutor: exec, failed: &sw.requestError})
	sw.finish()
}

// observedExecutor notes whether the operation failed before execution.
type observedExecutor struct {
	graphql.GraphExecutor
	failed *bool
}

func (e observedExecutor) CreateOperationContext(ctx context.Context, p *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	oc, errs := e.GraphExecutor.CreateOperationContext(ctx, p)
	if len(errs) > 0 {
		*e.failed = true
	}
	return oc, errs
}

// specWriter holds back the status and body of request errors (one small
// JSON document) to rewrite them; everything else streams through.
type specWriter struct {
	http.ResponseWriter
	requestError bool
	decided      bool
	held         bool
	status       int
	body         bytes.Buffer
}

func (s *specWriter) wantsSpec() bool {
	mt, _, _ := mime.ParseMediaType(s.Header().Get("Content-Type"))
	return mt == graphQLResponseJSON
}

func (s *specWriter) WriteHeader(status int) {
	if s.decided {
		return
	}
	s.decided = true
	s.status = status
	if s.requestError || (status >= 400 && s.wantsSpec()) {
		s.held = true
		return
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *specWriter) Write(b []byte) (int, error) {
	if !s.decided {
		s.WriteHeader(http.StatusOK)
	}
	if s.held {
		return s.body.Write(b)
	}
	return s.ResponseWriter.Write(b)
}

// Flush implements http.Flusher for streamed responses.
func (s *specWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok && !s.held {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *specWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *specWriter) finish() {
	if !s.held {
		return
	}
	status, out := s.status, s.body.Bytes()
	if s.wantsSpec() {
		if s.requestError && status < 400 {
			status = http.StatusBadRequest
		}
		var resp map[string]json.RawMessage
		if json.Unmarshal(out, &resp) == nil {
			if _, ok := resp["data"]; ok {
				delete(resp, "data")
				if b, err := json.Marshal(resp); err == nil {
					out = b
				}
			}
		}
	} else if s.requestError {
		status = http.StatusOK
	}
	s.Header().Set("Content-Length", strconv.Itoa(len(out)))
	s.ResponseWriter.WriteHeader(status)
	_, _ = s.ResponseWriter.Write(out)
}
