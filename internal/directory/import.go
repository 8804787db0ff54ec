package directory

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
	"github.com/dutychain/dutychain/internal/org"
)

// MaxRows bounds the data rows of one import (all sheets together).
const MaxRows = 20000

// Problem is one bad cell or row of an import.
type Problem struct {
	Sheet string
	// Row is the spreadsheet row number (the header is row 1).
	Row int
	// Column is the header of the offending column ("" for the whole row).
	Column string
	// Value is the offending cell's content as read ("" for the whole row
	// or a missing cell).
	Value   string
	Code    apperr.Code
	Message string
}

// Report is the outcome of an import: what was (or, on a dry run, would
// be) created, and every problem. Nothing is written unless Written.
type Report struct {
	DryRun                    bool
	Enterprises, Users, Posts int
	Problems                  []Problem
	Written                   bool
	UsersWithoutPassword      []string
}

// Importer imports a directory through the org services, as the caller.
type Importer struct {
	Client *ent.Client
	Org    *org.Service
	// Progress, when set, is told how many of the total data rows have been
	// tried: once before the first row and after each one (the listener
	// throttles). It runs inside the import's transaction, so it must not
	// write through Client.
	Progress func(done, total int)
	// BeforeCommit, when set, is called inside the import's transaction
	// (ctx carries it: ent.TxFromContext) when every row went in and the
	// import is about to commit, with the report so far: what it writes
	// commits with the rows, and an error rolls everything back and is
	// returned. Not called on a dry run or when a row has a problem.
	BeforeCommit func(ctx context.Context, rep *Report) error
}

// Import reads the workbook r (the template's layout) and creates its
// enterprises, then its users, then its posts, each row through the same
// service as the GraphQL mutation, in one transaction. Every row is tried,
// each in a savepoint, so the report names every bad row and column; with
// any problem, or on a dry run, the transaction is rolled back.
func (im *Importer) Import(ctx context.Context, r io.Reader, dryRun bool) (*Report, error) {
	if v := authz.FromContext(ctx); v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, apperr.Invalid("file", "not an Excel workbook (.xlsx)")
	}
	defer f.Close()
	book, rep, fatal := readBook(f)
	rep.DryRun = dryRun
	if fatal {
		return rep, nil
	}
	failed := errors.New("the import has problems")
	err = kernel.Batch(ctx, im.Client, !dryRun, func(ctx context.Context) error {
		im.rows(ctx, book, rep)
		if len(rep.Problems) > 0 {
			return failed
		}
		if !dryRun && im.BeforeCommit != nil {
			return im.BeforeCommit(ctx, rep)
		}
		return nil
	})
	switch {
	case errors.Is(err, failed):
		return rep, nil
	case err != nil:
		return nil, err
	}
	rep.Written = !dryRun
	return rep, nil
}

// row is one data row: its number and its cells by header.
type row struct {
	n     int
	cells map[string]string
}

func (r row) get(header string) string { return strings.TrimSpace(r.cells[header]) }

// readBook reads the three sheets, checking their headers and required
// cells; missing sheets are empty. fatal: a missing column or too many
// rows, which leave nothing to try; a row missing a required cell is
// reported and not tried.
func readBook(f *excelize.File) (book map[string][]row, rep *Report, fatal bool) {
	rep = &Report{}
	book = map[string][]row{}
	total := 0
	for _, s := range sheets {
		if idx, err := f.GetSheetIndex(s.Name); err != nil || idx < 0 {
			continue
		}
		rows, err := f.GetRows(s.Name)
		if err != nil || len(rows) == 0 {
			continue
		}
		header := rows[0]
		for _, c := range s.Columns {
			if c.Required && !slices.Contains(header, c.Header) {
				rep.Problems = append(rep.Problems, Problem{Sheet: s.Name, Row: 1, Column: c.Header, Code: apperr.BadUserInput,
					Message: "the required column is missing"})
				fatal = true
			}
		}
		for i, cells := range rows[1:] {
			r := row{n: i + 2, cells: map[string]string{}}
			blank := true
			for j, h := range header {
				if j < len(cells) {
					r.cells[h] = cells[j]
					blank = blank && strings.TrimSpace(cells[j]) == ""
				}
			}
			if blank {
				continue
			}
			total++
			complete := true
			for _, c := range s.Columns {
				if c.Required && r.get(c.Header) == "" {
					rep.Problems = append(rep.Problems, Problem{Sheet: s.Name, Row: r.n, Column: c.Header, Code: apperr.BadUserInput, Message: "is required"})
					complete = false
				}
			}
			if complete {
				book[s.Name] = append(book[s.Name], r)
			}
		}
	}
	if total > MaxRows {
		rep.Problems = append(rep.Problems, Problem{Code: apperr.BadUserInput, Message: fmt.Sprintf("at most %d rows per import; this file has %d", MaxRows, total)})
		fatal = true
	}
	return book, rep, fatal
}

// rows creates every row, each in a savepoint so that one bad row does not
// abort the transaction (PostgreSQL) and every problem is found.
func (im *Importer) rows(ctx context.Context, book map[string][]row, rep *Report) {
	tx := ent.TxFromContext(ctx)
	total := len(book[SheetEnterprises]) + len(book[SheetUsers]) + len(book[SheetPosts])
	done := 0
	tell := func() {
		if im.Progress != nil {
			im.Progress(done, total)
		}
	}
	tell()
	units := map[string]int{}
	unitID := func(code string) (int, error) {
		if id, ok := units[code]; ok {
			return id, nil
		}
		v := authz.FromContext(ctx)
		id, err := tx.Client().Unit.Query().Where(unit.TenantID(v.Tenant), unit.Code(code)).OnlyID(ctx)
		if err != nil {
			return 0, apperr.New(apperr.NotFound, fmt.Sprintf("no unit with code %q in your jurisdiction", code))
		}
		units[code] = id
		return id, nil
	}
	try := func(sheet string, r row, fn func() error) bool {
		defer func() { done++; tell() }()
		if _, err := tx.ExecContext(ctx, "SAVEPOINT directory_row"); err != nil {
			rep.Problems = append(rep.Problems, Problem{Sheet: sheet, Row: r.n, Code: apperr.Internal, Message: "could not start the row"})
			return false
		}
		err := fn()
		if err == nil {
			_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT directory_row")
			if err == nil {
				return true
			}
		}
		_, _ = tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT directory_row")
		for _, e := range problemsOf(err) {
			col := columnOf(sheet, e.Field)
			rep.Problems = append(rep.Problems, Problem{Sheet: sheet, Row: r.n, Column: col, Value: r.get(col), Code: e.Code, Message: e.Message})
		}
		return false
	}
	for _, r := range book[SheetEnterprises] {
		if try(SheetEnterprises, r, func() error { return im.enterprise(ctx, r, unitID) }) {
			rep.Enterprises++
		}
	}
	for _, r := range book[SheetUsers] {
		generated := r.get("初始密码") == ""
		if try(SheetUsers, r, func() error { return im.user(ctx, r, unitID) }) {
			rep.Users++
			if generated {
				rep.UsersWithoutPassword = append(rep.UsersWithoutPassword, r.get("用户名"))
			}
		}
	}
	for _, r := range book[SheetPosts] {
		if try(SheetPosts, r, func() error { return im.post(ctx, r, unitID) }) {
			rep.Posts++
		}
	}
}

// problemsOf is err as client-facing errors; an internal error is reported
// without its cause.
func problemsOf(err error) []*apperr.Error {
	if ps := apperr.ProblemsOf(err); len(ps) > 0 {
		return ps
	}
	return []*apperr.Error{{Code: apperr.Internal, Message: "the row could not be written"}}
}

func (im *Importer) enterprise(ctx context.Context, r row, unitID func(string) (int, error)) error {
	var p kernel.Problems
	sector, ok := parseEnum(sectorLabels, r.get("行业"))
	p.Check(!ok, "sector", "unknown sector %q: one of %s", r.get("行业"), labelsOf(sectorLabels))
	in := org.EnterpriseInput{Name: ptr(r.get("名称")), Code: ptr(r.get("编码")), CreditCode: ptr(r.get("统一社会信用代码")), Sector: &sector,
		IndustryCategory: opt(r.get("行业类别")), Address: opt(r.get("地址")), LegalRepresentative: opt(r.get("法定代表人")),
		SafetyManager: opt(r.get("安全负责人")), ContactPhone: opt(r.get("联系电话"))}
	if err := domain.ValidCreditCode(strings.ToUpper(r.get("统一社会信用代码"))); err != nil {
		p.Check(true, "creditCode", "invalid unified social credit code: %v", err)
	}
	if s := r.get("规模"); s != "" {
		scale, ok := parseEnum(scaleLabels, s)
		p.Check(!ok, "scale", "unknown scale %q: one of %s", s, labelsOf(scaleLabels))
		in.Scale = &scale
	}
	if s := r.get("从业人数"); s != "" {
		n, err := strconv.Atoi(s)
		p.Check(err != nil, "employeeCount", "must be a whole number")
		in.EmployeeCount = &n
	}
	town, err := unitID(r.get("所属镇街编码"))
	if err != nil {
		p.Check(true, "townID", "%s", apperr.ProblemsOf(err)[0].Message)
	}
	in.TownID = &town
	if err := p.Err(); err != nil {
		return err
	}
	_, err = im.Org.CreateEnterprise(ctx, in)
	return err
}

func (im *Importer) user(ctx context.Context, r row, unitID func(string) (int, error)) error {
	home, err := unitID(r.get("所属单位编码"))
	if err != nil {
		return &apperr.Error{Code: apperr.NotFound, Field: "unitID", Message: apperr.ProblemsOf(err)[0].Message}
	}
	password := r.get("初始密码")
	if password == "" {
		password = randomPassword()
	}
	_, err = im.Org.CreateUser(ctx, org.CreateUserInput{Username: r.get("用户名"), DisplayName: r.get("姓名"),
		Phone: opt(r.get("手机")), UnitID: home, Password: password})
	return err
}

func (im *Importer) post(ctx context.Context, r row, unitID func(string) (int, error)) error {
	var p kernel.Problems
	tx := ent.TxFromContext(ctx)
	v := authz.FromContext(ctx)
	uid, err := tx.Client().User.Query().Where(user.TenantID(v.Tenant), user.Username(r.get("用户名"))).OnlyID(ctx)
	p.Check(err != nil, "userID", "no user %q (add them on the 用户 sheet)", r.get("用户名"))
	at, err := unitID(r.get("单位编码"))
	if err != nil {
		p.Check(true, "unitID", "%s", apperr.ProblemsOf(err)[0].Message)
	}
	role, ok := parseEnum(roleLabels, r.get("角色"))
	p.Check(!ok, "role", "unknown role %q: one of %s", r.get("角色"), labelsOf(roleLabels))
	in := org.PostInput{UserID: uid, UnitID: at, Role: role, Title: opt(r.get("职务"))}
	if s := r.get("分管行业"); s != "" {
		in.SetSectors = true
		for _, part := range strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == '，' || c == '、' || c == ' ' }) {
			sector, ok := parseEnum(sectorLabels, part)
			p.Check(!ok, "sectors", "unknown sector %q: one of %s", part, labelsOf(sectorLabels))
			in.Sectors = append(in.Sectors, sector)
		}
	}
	for _, d := range []struct {
		header, field string
		into          **time.Time
	}{{"起始日期", "validFrom", &in.ValidFrom}, {"终止日期", "validTo", &in.ValidTo}} {
		if s := r.get(d.header); s != "" {
			t, err := parseDay(s)
			p.Check(err != nil, d.field, "must be a date like 2022-01-01")
			*d.into = &t
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	_, err = im.Org.CreatePost(ctx, in)
	return err
}

// parseDay reads 2022-01-01 (or 2022/01/01) as midnight China Standard Time.
func parseDay(s string) (time.Time, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "/", "-")
	return time.ParseInLocation("2006-01-02", s, zone)
}

var zone = time.FixedZone("CST", 8*3600)

// randomPassword is the password of a user imported without one: nobody
// knows it, so an administrator resets it before the user signs in.
func randomPassword() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func ptr(s string) *string { return &s }

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
