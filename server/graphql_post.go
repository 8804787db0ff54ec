package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// graphqlPOST is gqlgen's POST transport (transport.POST, default options)
// with its own response writer, writeResponse. gqlgen writes a response with
// json.Marshal, which re-validates and compacts the data the executor has
// just written as compact JSON and copies it once more: about 4 % of the CPU
// of a page of enterprises with their hazards and events. The request side
// (body, status codes, errors) is gqlgen's, line for line.
type graphqlPOST struct{}

// rawParams recycles the decoded requests, as transport.POST does: the
// operation context copies what it keeps.
var rawParams = sync.Pool{New: func() any { return new(graphql.RawParams) }}

// Supports implements graphql.Transport as transport.POST does.
func (graphqlPOST) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" {
		return false
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && r.Method == http.MethodPost && mediaType == "application/json"
}

// Do implements graphql.Transport.
func (graphqlPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := responseContentType(r.Header.Get("Accept"))
	w.Header()["Content-Type"] = []string{contentType}
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("could not read request body: %+v", err)}))
		return
	}
	params := rawParams.Get().(*graphql.RawParams)
	defer func() {
		*params = graphql.RawParams{}
		rawParams.Put(params)
	}()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{
			gqlerror.Errorf("json request body could not be decoded: %+v body:%s", err, string(body)),
		}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	oc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		w.WriteHeader(requestErrorStatus(contentType, opErr))
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, oc), opErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, responses(ctx))
}

// responseContentType is the media type of the response to a request
// accepting accept, as transport.POST chooses it by default: application/json
// unless the client asks for the GraphQL-over-HTTP type first.
func responseContentType(accept string) string {
	if accept == "" {
		return "application/json"
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", "application/json":
			return "application/json"
		case graphQLResponseJSON:
			return graphQLResponseJSON
		}
	}
	return graphQLResponseJSON
}

// requestErrorStatus is transport.POST's status for a document that failed
// to parse or validate (specStatus then applies the spec's).
func requestErrorStatus(contentType string, errs gqlerror.List) int {
	if errcode.GetErrorKind(errs) != errcode.KindProtocol {
		return http.StatusOK
	}
	if contentType == graphQLResponseJSON {
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

// writeResponse writes resp as json.Marshal does, members in the same order,
// but the data as the executor wrote it: valid, compact JSON already, whose
// <, >, & and line separators json.Marshal would escape (the same JSON
// value). The other members are small and encoded as usual. No response (a
// cancelled request, a finished stream) is null, as gqlgen writes it.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp == nil {
		_, _ = io.WriteString(w, "null")
		return
	}
	head := []byte("{")
	if len(resp.Errors) > 0 {
		head = append(appendMember(head, "errors", resp.Errors), ',')
	}
	head = append(head, `"data":`...)
	data := []byte(resp.Data)
	if len(data) == 0 {
		data = []byte("null")
	}
	var tail []byte
	if resp.Label != "" {
		tail = appendMember(append(tail, ','), "label", resp.Label)
	}
	if len(resp.Path) > 0 {
		tail = appendMember(append(tail, ','), "path", resp.Path)
	}
	if resp.HasNext != nil {
		tail = appendMember(append(tail, ','), "hasNext", *resp.HasNext)
	}
	if len(resp.Extensions) > 0 {
		tail = appendExtensions(append(tail, ','), resp.Extensions)
	}
	tail = append(tail, '}')
	_, _ = w.Write(head)
	_, _ = w.Write(data)
	_, _ = w.Write(tail)
}

// appendExtensions appends "extensions":ext as appendMember does; the
// extensions of nearly every response, the operation's cost alone, without
// json.Marshal's reflection over a map.
func appendExtensions(b []byte, ext map[string]any) []byte {
	if c, ok := ext["cost"].(Cost); ok && len(ext) == 1 {
		return append(c.appendJSON(append(b, `"extensions":{"cost":`...)), '}')
	}
	return appendMember(b, "extensions", ext)
}

// appendJSON appends c as json.Marshal writes it.
func (c Cost) appendJSON(b []byte) []byte {
	b = strconv.AppendInt(append(b, `{"complexity":`...), int64(c.Complexity), 10)
	b = strconv.AppendInt(append(b, `,"limit":`...), int64(c.Limit), 10)
	return append(b, '}')
}

// appendMember appends "name":value to b. A value that does not encode
// panics, as gqlgen's writer does.
func appendMember(b []byte, name string, value any) []byte {
	v, err := json.Marshal(value)
	if err != nil {
		panic(fmt.Errorf("unable to marshal the response's %s: %w", name, err))
	}
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, `":`...)
	return append(b, v...)
}
