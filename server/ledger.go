package server

import (
	"io"
	"net/http"
	"strings"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/input"
	"github.com/dutychain/dutychain/internal/ledger"
	"github.com/dutychain/dutychain/internal/reqctx"
)

// exportLedger serves GET /ledgers/{file}, file being <ledger>.xlsx or
// <ledger>.csv (ledger.Kinds: hazards, inspections, …): the ledger of the
// caller's scope, filtered by the query parameter where, the JSON of the
// where input of the type's GraphQL list, under the same input rules.
// Authentication, error bodies and the abort of a transfer that fails
// midway are those of the audit export; every export is logged with the
// caller, the ledger, the filter and the row count.
func exportLedger(d Deps, rules *input.Rules) http.HandlerFunc {
	x := &ledger.Exporter{Client: d.Client}
	if d.Resolver != nil && d.Resolver.Readiness != nil {
		x.Zone = d.Resolver.Readiness.Zone
	}
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		v := authz.FromContext(ctx)
		if v == nil || v.IsSystem() {
			writeFailure(ctx, w, "ledger export", authErrorFrom(ctx))
			return
		}
		name, format, ok := strings.Cut(r.PathValue("file"), ".")
		if !ok || (format != "csv" && format != "xlsx") {
			writeFailure(ctx, w, "ledger export", apperr.Newf(apperr.NotFound, "no ledger file %q: ask for <ledger>.xlsx or <ledger>.csv", r.PathValue("file")))
			return
		}
		kind, err := ledger.KindNamed(name)
		if err != nil {
			writeFailure(ctx, w, "ledger export", err)
			return
		}
		for param := range r.URL.Query() {
			if param != "where" {
				writeFailure(ctx, w, "ledger export", apperr.Invalid(param, "unknown parameter "+param+" (the filter is where={…})"))
				return
			}
		}
		raw := r.URL.Query().Get("where")
		where, vs, err := ledger.ParseWhere(ctx, d.Client, rules, kind, raw)
		if len(vs) > 0 {
			writeViolations(w, vs)
			return
		}
		if err != nil {
			writeFailure(ctx, w, "ledger export", err)
			return
		}
		var written int64
		headers := func() error {
			if format == "csv" {
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			} else {
				w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			}
			w.Header().Set("Content-Disposition", `attachment; filename="`+ledger.FileName(kind, format)+`"`)
			w.Header().Set("Cache-Control", "no-store")
			return nil
		}
		counted := &countingWriter{w: w, n: &written}
		if format == "csv" {
			err = x.WriteCSV(ctx, kind, where, counted, headers)
		} else {
			err = x.WriteXLSX(ctx, kind, where, counted, headers)
		}
		if err != nil && w.Header().Get("Content-Disposition") == "" {
			writeFailure(ctx, w, "ledger export", err)
			return
		} else if err != nil {
			abortStream(ctx, "ledger export", err)
		}
		reqctx.Logger(ctx).InfoContext(ctx, "ledger exported", "user", v.Username, "user_id", v.UserID,
			"ledger", kind.Name, "format", format, "where", raw, "bytes", written)
	}
}

// countingWriter counts the bytes written through it, for the log line.
type countingWriter struct {
	w io.Writer
	n *int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	*c.n += int64(n)
	return n, err
}
