package server

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/auditlog"
	"github.com/dutychain/dutychain/internal/input"
	"github.com/dutychain/dutychain/internal/reqctx"
)

// exportAudit serves GET /export/audit.csv and /export/audit.xlsx: the audit
// log filtered by the query string (the fields of the GraphQL
// AuditEventWhereInput: actorID, entityType, entityID, operation, from, to,
// unitID) under the same input rules as that type, scoped to the caller's AUDITOR and ADMIN posts like the
// auditEvents connection, newest first, at most auditlog.MaxExportRows rows.
// Authentication is the same bearer token as /graphql. Errors are a JSON
// body {"errors": [{message, extensions: {code, reason}}]} with a matching
// status. An export that fails once its body has started (the database
// went away, the shutdown grace ran out) aborts the connection, so the
// client sees a broken transfer rather than a short file with status 200.
func exportAudit(d Deps, format string, rules *input.Rules) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		fail := func(err error) { writeFailure(ctx, w, "audit export", err) }
		if v := authz.FromContext(ctx); v == nil || v.IsSystem() {
			fail(authErrorFrom(ctx))
			return
		}
		params := map[string]any{}
		for name, vs := range r.URL.Query() {
			params[name] = vs[0]
		}
		if vs := rules.CheckFields("AuditEventWhereInput", params); len(vs) > 0 {
			writeViolations(w, vs)
			return
		}
		f, err := auditlog.ParseFilter(r.URL.Query())
		if err != nil {
			fail(err)
			return
		}
		headers := func() error {
			name := "audit." + format
			if format == "csv" {
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			} else {
				w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			}
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
			w.Header().Set("Cache-Control", "no-store")
			return nil
		}
		// Nothing is written before the checks passed and the first row was
		// read, so an error still gets its status.
		if format == "csv" {
			err = auditlog.WriteCSV(ctx, d.Client, f, w, headers)
		} else {
			err = auditlog.WriteXLSX(ctx, d.Client, f, w, headers)
		}
		if err != nil && w.Header().Get("Content-Disposition") == "" {
			fail(err)
		} else if err != nil {
			abortStream(ctx, "audit export", err)
		}
	}
}

// writeFailure answers a download that failed before its body started
// with the coded JSON error and the status of its code; an internal error
// is logged with its cause and shown without it.
func writeFailure(ctx context.Context, w http.ResponseWriter, what string, err error) {
	e := classify(err)
	if e.Code == apperr.Unavailable {
		markOutage(ctx, e)
	}
	if e.Code == apperr.Internal {
		reqctx.Logger(ctx).ErrorContext(ctx, what+" failed", "err", err)
	}
	status := map[apperr.Code]int{
		apperr.Unauthenticated: http.StatusUnauthorized, apperr.Forbidden: http.StatusForbidden,
		apperr.NotFound: http.StatusNotFound, apperr.BadUserInput: http.StatusBadRequest,
		apperr.Unavailable: http.StatusServiceUnavailable,
	}[e.Code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	writeCoded(w, status, e)
}

// writeViolations answers 400 with one BAD_USER_INPUT error per broken
// input rule, each naming its parameter in extensions.field.
func writeViolations(w http.ResponseWriter, vs []input.Violation) {
	errs := make([]map[string]any, len(vs))
	for i, v := range vs {
		errs[i] = map[string]any{"message": v.Message, "extensions": map[string]any{
			"code": string(apperr.BadUserInput), "field": v.Field, "reason": v.Reason}}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": errs})
}

// abortStream ends a streamed response that failed after its status was
// sent: it logs why and aborts the connection (http.ErrAbortHandler), so
// the body ends without its final chunk and the client reports an error
// instead of taking a truncated body for the whole.
func abortStream(ctx context.Context, what string, err error) {
	reqctx.Logger(ctx).ErrorContext(ctx, what+" interrupted; aborting the response", "err", err)
	panic(http.ErrAbortHandler)
}
