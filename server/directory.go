package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/directory"
	"github.com/dutychain/dutychain/internal/org"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// directoryTemplate serves GET /import/directory-template.xlsx: the empty
// workbook (企业, 用户, 岗位) an office fills to import its directory.
func directoryTemplate() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		if err := directory.WriteTemplate(&b); err != nil {
			writeFailure(r.Context(), w, "directory template", err)
			return
		}
		w.Header().Set("Content-Type", xlsxType)
		w.Header().Set("Content-Disposition", `attachment; filename="directory-template.xlsx"`)
		_, _ = io.Copy(w, &b)
	}
}

// directoryExport serves GET /export/directory.xlsx: the enterprises, users
// and posts the caller reads, in the template's layout.
func directoryExport(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if v := authz.FromContext(ctx); v == nil || v.IsSystem() {
			writeFailure(ctx, w, "directory export", authErrorFrom(ctx))
			return
		}
		rows, err := directory.Export(ctx, d.Client)
		var b bytes.Buffer
		if err == nil {
			err = directory.WriteExport(&b, rows)
		}
		if err != nil {
			writeFailure(ctx, w, "directory export", err)
			return
		}
		w.Header().Set("Content-Type", xlsxType)
		w.Header().Set("Content-Disposition", `attachment; filename="directory.xlsx"`)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.Copy(w, &b)
	}
}

// directoryImport serves POST /import/directory (the workbook as the body;
// ?dryRun=true checks without writing): every row goes through the same
// service as the GraphQL mutations, in one transaction, and the answer is
// the JSON report of what was (or would be) created and every problem by
// sheet, row and column. 200 when written or clean on a dry run, 422 with
// problems (nothing written).
func directoryImport(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if v := authz.FromContext(ctx); v == nil || v.IsSystem() {
			writeFailure(ctx, w, "directory import", authErrorFrom(ctx))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, d.Config.MaxUploadBytes))
		if err != nil {
			writeFailure(ctx, w, "directory import", apperr.Invalid("body", "the workbook is too large or was cut off"))
			return
		}
		im := &directory.Importer{Client: d.Client, Org: &org.Service{Client: d.Client, Dialect: d.Resolver.Org.Dialect, Now: d.Now}}
		rep, err := im.Import(ctx, bytes.NewReader(body), r.URL.Query().Get("dryRun") == "true")
		if err != nil {
			writeFailure(ctx, w, "directory import", err)
			return
		}
		problems := make([]map[string]any, len(rep.Problems))
		for i, p := range rep.Problems {
			problems[i] = map[string]any{"sheet": p.Sheet, "row": p.Row, "column": p.Column, "value": p.Value, "code": p.Code, "message": p.Message}
		}
		status := http.StatusOK
		if len(rep.Problems) > 0 {
			status = http.StatusUnprocessableEntity
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"dryRun": rep.DryRun, "written": rep.Written, "enterprises": rep.Enterprises,
			"users": rep.Users, "posts": rep.Posts, "usersWithoutPassword": rep.UsersWithoutPassword, "problems": problems})
	}
}
