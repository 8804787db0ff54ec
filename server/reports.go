package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/summary"
)

// maxSummaryBody bounds a POSTed summary request (an edited part 五).
const maxSummaryBody = 64 << 10

// summaryRequest is the POST body of /reports/summary.{html,docx}: the
// year, the unit (an opaque ID) and the office's own part 五.
type summaryRequest struct {
	Year   int      `json:"year"`
	UnitID *string  `json:"unitID"`
	Plan   []string `json:"plan"`
}

// summaryReport serves GET and POST /reports/summary.html and .docx: the
// yearlySummary of the caller, rendered to print (HTML with charts) or to
// edit (DOCX). GET takes ?year=2022&unitID=…; POST takes the JSON
// {"year", "unitID", "plan"} to export an edited part 五. Authentication is
// the bearer token of /graphql; errors are coded JSON like the exports'.
func summaryReport(d Deps, format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		fail := func(err error) { writeFailure(ctx, w, "summary report", err) }
		if v := authz.FromContext(ctx); v == nil || v.IsSystem() {
			fail(authErrorFrom(ctx))
			return
		}
		in, err := summaryInput(r)
		if err != nil {
			fail(err)
			return
		}
		s, err := d.Resolver.Summary.Build(ctx, in)
		if err != nil {
			fail(err)
			return
		}
		var body bytes.Buffer
		name := "summary-" + strconv.Itoa(s.Year)
		if format == "docx" {
			err = summary.WriteDOCX(&body, s)
			w.Header().Set("Content-Type", summary.DOCXContentType)
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.docx"`)
		} else {
			err = summary.WriteHTML(&body, s)
			w.Header().Set("Content-Type", summary.HTMLContentType)
			w.Header().Set("Content-Disposition", `inline; filename="`+name+`.html"`)
		}
		if err != nil {
			w.Header().Del("Content-Disposition")
			fail(err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.Copy(w, &body)
	}
}

// summaryInput reads the request's year, unit and plan.
func summaryInput(r *http.Request) (summary.Input, error) {
	var req summaryRequest
	if r.Method == http.MethodPost {
		dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxSummaryBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return summary.Input{}, apperr.Invalid("body", "must be a JSON object {year, unitID, plan} of at most 64 KiB")
		}
	} else {
		q := r.URL.Query()
		year, err := strconv.Atoi(q.Get("year"))
		if err != nil {
			return summary.Input{}, apperr.Invalid("year", "must be a year, e.g. ?year=2022")
		}
		req.Year = year
		if u := q.Get("unitID"); u != "" {
			req.UnitID = &u
		}
	}
	in := summary.Input{Year: req.Year, Plan: req.Plan}
	if req.UnitID != nil {
		id, err := gid.Decode(*req.UnitID)
		if err != nil {
			return summary.Input{}, apperr.Invalid("unitID", "malformed ID")
		}
		in.UnitID = &id
	}
	return in, nil
}
