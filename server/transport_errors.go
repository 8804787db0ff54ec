package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/dutychain/dutychain/internal/apperr"
)

// codeTransportErrors gives errors that gqlgen's transports write themselves
// (undecodable body, mutation over GET, unsupported method or content type) an
// extensions.code, like every other error. Successful responses stream through
// untouched; only 4xx/5xx bodies are buffered and rewritten — and every
// multipart (upload) response, because gqlgen's multipart transport reports
// a malformed upload with status 200.
func codeTransportErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &codingWriter{ResponseWriter: w, bufferAll: isMultipart(r)}
		next.ServeHTTP(cw, r)
		cw.finish()
	})
}

type codingWriter struct {
	http.ResponseWriter
	status    int
	buffer    bool
	bufferAll bool
	body      bytes.Buffer
	written   bool
}

func (c *codingWriter) WriteHeader(status int) {
	if c.written {
		return
	}
	c.written = true
	c.status = status
	if status >= 400 || c.bufferAll {
		c.buffer = true
		return
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *codingWriter) Write(b []byte) (int, error) {
	if !c.written {
		c.WriteHeader(http.StatusOK)
	}
	if c.buffer {
		return c.body.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

func (c *codingWriter) finish() {
	if !c.buffer {
		return
	}
	out := c.body.Bytes()
	var resp map[string]any
	if json.Unmarshal(out, &resp) == nil {
		if errs, ok := resp["errors"].([]any); ok {
			changed := false
			for _, e := range errs {
				em, ok := e.(map[string]any)
				if !ok {
					continue
				}
				ext, _ := em["extensions"].(map[string]any)
				if ext == nil {
					ext = map[string]any{}
				}
				if _, ok := ext["code"]; !ok {
					ext["code"] = string(apperr.BadUserInput)
					ext["reason"] = "BAD_REQUEST"
					changed = true
				}
				em["extensions"] = ext
			}
			// Rewrite only what lacked a code: a coded response (e.g. a
			// multipart one) goes out byte for byte.
			if b, err := json.Marshal(resp); err == nil && changed {
				out = b
			}
		}
	}
	c.Header().Set("Content-Length", strconv.Itoa(len(out)))
	c.ResponseWriter.WriteHeader(c.status)
	_, _ = c.ResponseWriter.Write(out)
}
