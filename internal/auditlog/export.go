package auditlog

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/auditevent"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/gid"
)

// MaxExportRows bounds one export; a larger result asks for a narrower
// filter (BAD_USER_INPUT) rather than tying up the server.
const MaxExportRows = 100_000

// exportPage is how many events one statement reads.
const exportPage = 1000

// Columns of the export (the ledger an auditor keeps, 台账).
var Columns = []string{"seq", "occurred_at", "operation", "entity_type", "entity_id", "actor", "actor_id",
	"actor_post_id", "unit_id", "unit", "changes", "client_ip", "request_id", "prev_hash", "hash"}

// ParseFilter reads a Filter from query parameters named like the GraphQL
// AuditEventWhereInput fields (actorID, entityType, entityID, operation, from,
// to, unitID); IDs are the opaque GraphQL IDs, times RFC 3339.
func ParseFilter(q url.Values) (*Filter, error) {
	f := &Filter{}
	id := func(name string, dst **int) error {
		if v := q.Get(name); v != "" {
			n, err := gid.Decode(v)
			if err != nil {
				return apperr.Invalid(name, "malformed ID")
			}
			*dst = &n
		}
		return nil
	}
	tm := func(name string, dst **time.Time) error {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return apperr.Invalid(name, "a time is an RFC 3339 timestamp such as 2022-01-01T00:00:00Z")
			}
			*dst = &t
		}
		return nil
	}
	for _, err := range []error{id("actorID", &f.ActorID), id("entityID", &f.EntityID), id("unitID", &f.UnitID),
		tm("from", &f.From), tm("to", &f.To)} {
		if err != nil {
			return nil, err
		}
	}
	if v := q.Get("entityType"); v != "" {
		f.EntityType = &v
	}
	if v := q.Get("operation"); v != "" {
		op := auditevent.Operation(strings.ToUpper(v))
		if err := auditevent.OperationValidator(op); err != nil {
			return nil, apperr.Invalid("operation", "unknown operation")
		}
		f.Operation = &op
	}
	for name := range q {
		switch name {
		case "actorID", "entityType", "entityID", "operation", "from", "to", "unitID":
		default:
			return nil, apperr.Invalid(name, fmt.Sprintf("unknown parameter %q", name))
		}
	}
	return f, nil
}

// Rows calls yield with each exported row, newest first, scoped to the
// viewer in ctx: FORBIDDEN without an AUDITOR or ADMIN post,
// BAD_USER_INPUT past MaxExportRows (checked before anything is written).
func Rows(ctx context.Context, c *ent.Client, f *Filter, yield func([]string) error) error {
	if err := authz.CanReadAudit(ctx); err != nil {
		return err
	}
	ps, err := f.Predicates(ctx, c)
	if err != nil {
		return err
	}
	n, err := c.AuditEvent.Query().Where(ps...).Count(ctx)
	if err != nil {
		return err
	}
	if n > MaxExportRows {
		return &apperr.Error{Code: apperr.BadUserInput, Message: fmt.Sprintf("%d events match; an export holds at most %d: narrow the filter (from, to, unitID…)", n, MaxExportRows)}
	}
	last := 0
	for {
		q := c.AuditEvent.Query().Where(ps...).Order(ent.Desc(auditevent.FieldID)).Limit(exportPage)
		if last != 0 {
			q = q.Where(auditevent.IDLT(last))
		}
		evs, err := q.All(ctx)
		if err != nil {
			return err
		}
		names, err := unitNames(ctx, c, evs)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := yield(row(e, names)); err != nil {
				return err
			}
			last = e.ID
		}
		if len(evs) < exportPage {
			return nil
		}
	}
}

// unitNames loads the names of a page's subject units the viewer can read:
// one statement per page.
func unitNames(ctx context.Context, c *ent.Client, evs []*ent.AuditEvent) (map[int]string, error) {
	var ids []int
	for _, e := range evs {
		if id, ok := SubjectUnitID(e.ScopePath); ok {
			ids = append(ids, id)
		}
	}
	out := map[int]string{}
	if len(ids) == 0 {
		return out, nil
	}
	us, err := c.Unit.Query().Where(unit.IDIn(ids...)).Select(unit.FieldID, unit.FieldName).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out, nil
}

// SubjectUnitID is the last id of a scope path: the event's subject unit.
func SubjectUnitID(path string) (int, bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var id int
	if _, err := fmt.Sscanf(parts[len(parts)-1], "%d", &id); err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

func row(e *ent.AuditEvent, names map[int]string) []string {
	optID := func(p *int) string {
		if p == nil {
			return ""
		}
		return gid.Encode(*p)
	}
	unitID, unitName := "", ""
	if id, ok := SubjectUnitID(e.ScopePath); ok {
		unitID, unitName = gid.Encode(id), names[id]
	}
	return []string{fmt.Sprint(e.Seq), e.OccurredAt.UTC().Format(time.RFC3339Nano), string(e.Operation), e.EntityType,
		optID(e.EntityID), e.ActorName, optID(e.ActorUserID), optID(e.ActorPostID), unitID, unitName, e.Changes,
		e.ClientIP, e.RequestID, e.PrevHash, e.Hash}
}

// NeutraliseCell defuses CSV injection (OWASP): a cell a spreadsheet would
// read as a formula — starting with =, +, -, @, tab or carriage return —
// gets a leading single quote, so it shows as the text it is.
func NeutraliseCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteCSV writes the export as CSV (UTF-8 with a byte-order mark, which
// spreadsheet programs need to read Chinese text correctly); every cell
// passes through NeutraliseCell. (The XLSX export writes typed text cells,
// which spreadsheets never evaluate.)
func WriteCSV(ctx context.Context, c *ent.Client, f *Filter, w io.Writer, before func() error) error {
	var cw *csv.Writer
	started := false
	start := func() error {
		if started {
			return nil
		}
		started = true
		if err := before(); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		cw = csv.NewWriter(w)
		return cw.Write(Columns)
	}
	err := Rows(ctx, c, f, func(r []string) error {
		if err := start(); err != nil {
			return err
		}
		for i, cell := range r {
			r[i] = NeutraliseCell(cell)
		}
		return cw.Write(r)
	})
	if err != nil {
		return err
	}
	if err := start(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the export as an Excel workbook with one sheet.
func WriteXLSX(ctx context.Context, c *ent.Client, f *Filter, w io.Writer, before func() error) error {
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "audit"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := make([]any, len(Columns))
	for i, h := range Columns {
		header[i] = h
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	n := 1
	err = Rows(ctx, c, f, func(r []string) error {
		n++
		cells := make([]any, len(r))
		for i, v := range r {
			cells[i] = v
		}
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, cells)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := before(); err != nil {
		return err
	}
	return x.Write(w)
}
