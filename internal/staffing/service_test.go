package staffing_test

// The staffing services on every available database, on the demo county:
// the certificate status per enterprise and the duty-list gaps agree with
// the seed and cost a fixed number of statements whatever the number of
// rows; who may record, write and acknowledge; bad input writes nothing.

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/dutylist"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/staffing"
	"github.com/dutychain/dutychain/internal/testdb"
)

// countingClient is a client on d whose statements n counts.
func countingClient(d *db.DB, n *atomic.Int64) *ent.Client {
	drv := dialect.DebugWithContext(entsql.OpenDB(d.Dialect, d.SQL), func(_ context.Context, args ...any) {
		s := fmt.Sprint(args...)
		if strings.HasPrefix(s, "driver.Query") || strings.HasPrefix(s, "driver.Exec") || strings.HasPrefix(s, "Tx(") {
			n.Add(1)
		}
	})
	return ent.NewClient(ent.Driver(drv))
}

type fixture struct {
	t     *testing.T
	d     *db.DB
	demo  *seed.Built
	store *authz.Store
	svc   *staffing.Service
	n     *atomic.Int64
}

func setUp(t *testing.T, d *db.DB) *fixture {
	ctx := context.Background()
	if _, err := seed.Demo(ctx, d.Client); err != nil {
		t.Fatal(err)
	}
	demo, err := seed.Load(ctx, d.Client, seed.TenantDemo)
	if err != nil {
		t.Fatal(err)
	}
	if err := authz.EnsureTenant(ctx, d.Client, demo.TenantID); err != nil {
		t.Fatal(err)
	}
	store, err := authz.NewStore(ctx, d.Client, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	return &fixture{t: t, d: d, demo: demo, store: store, n: &n,
		svc: &staffing.Service{Client: countingClient(d, &n), Dialect: d.Dialect}}
}

// as is a request context of the demo user.
func (f *fixture) as(user string) context.Context {
	v, err := authz.LoadViewer(context.Background(), f.d.Client, f.store.Current(), f.demo.Users[user], f.demo.TenantID, time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return authz.NewContext(context.Background(), v)
}

func codeOf(err error) apperr.Code { return apperr.CodeOf(err) }

func rowOf(rows []staffing.StatusRow, unitID int) *staffing.StatusRow {
	for i := range rows {
		if rows[i].Enterprise.ID == unitID {
			return &rows[i]
		}
	}
	return nil
}

func TestStaffingServices(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := setUp(t, d)
		head := f.as("county.head")

		t.Run("the certificate status of the county agrees with the seed in three statements", func(t *testing.T) {
			f.n.Store(0)
			p, err := f.svc.CertificateStatus(head, staffing.StatusInput{Page: staffing.Page{First: 100}})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.n.Load(); got != 3 {
				t.Errorf("%d statements, want 3", got)
			}
			want := staffing.CertificateCounts{Valid: 4, Expiring90: 2, Expiring30: 2, Expired: 2, Required: 2, Held: 1, Missing: 1}
			if p.Summary != want || p.Summary.HeldPercent() != 50 {
				t.Errorf("summary %+v, want %+v", p.Summary, want)
			}
			cement := rowOf(p.Rows, f.demo.Units[seed.CodeCement])
			if cement == nil || cement.Counts != (staffing.CertificateCounts{Valid: 1, Expiring90: 1, Expiring30: 1, Required: 1, Held: 1}) {
				t.Errorf("cement plant: %+v", cement)
			}
			paper := rowOf(p.Rows, f.demo.Units[seed.CodePaper])
			if paper == nil || paper.Counts != (staffing.CertificateCounts{Valid: 1, Expired: 1, Required: 1, Missing: 1}) {
				t.Errorf("paper mill (its safety officer's certificate expired): %+v", paper)
			}
		})
		t.Run("the gaps narrow to the enterprises with one, the most missing first", func(t *testing.T) {
			p, err := f.svc.CertificateStatus(head, staffing.StatusInput{WithGaps: true, Order: staffing.ByMissing, Page: staffing.Page{First: 10}})
			if err != nil {
				t.Fatal(err)
			}
			// The paper mill (missing) and the mall (expired).
			if p.TotalCount != 2 || p.Rows[0].Enterprise.ID != f.demo.Units[seed.CodePaper] {
				t.Errorf("%d rows, first %+v", p.TotalCount, p.Rows)
			}
		})
		t.Run("a town head counts only the enterprises of the town", func(t *testing.T) {
			p, err := f.svc.CertificateStatus(f.as("chengguan.head"), staffing.StatusInput{Page: staffing.Page{First: 100}})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Rows {
				if *r.Enterprise.ParentID != f.demo.Units[seed.CodeTownChengguan] {
					t.Errorf("%s is not in 城关镇", r.Enterprise.Name)
				}
			}
			// The hotel's two fire-facility operators and the 中石油 station's staff.
			if s := p.Summary; s.Valid+s.Expiring90+s.Expiring30+s.Expired != 3 {
				t.Errorf("城关镇 summary %+v", s)
			}
		})
		t.Run("the statements do not grow with the certificates, and pages follow each other", func(t *testing.T) {
			addCertificates(t, d.Client, f.demo, 60)
			f.n.Store(0)
			first, err := f.svc.CertificateStatus(head, staffing.StatusInput{Page: staffing.Page{First: 5}})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.n.Load(); got != 3 {
				t.Errorf("%d statements, want 3", got)
			}
			next, err := f.svc.CertificateStatus(head, staffing.StatusInput{Page: staffing.Page{First: 5, After: first.EndCursor}})
			if err != nil {
				t.Fatal(err)
			}
			last := 3
			back, err := f.svc.CertificateStatus(head, staffing.StatusInput{Page: staffing.Page{Last: &last, Before: next.StartCursor}})
			if err != nil {
				t.Fatal(err)
			}
			if !first.HasNextPage || !next.HasPreviousPage || next.Rows[0].Enterprise.ID == first.Rows[0].Enterprise.ID ||
				len(back.Rows) != 3 || back.Rows[2].Enterprise.ID != first.Rows[4].Enterprise.ID {
				t.Errorf("paging: first %v, next %v, back %v", first.PageInfo, next.PageInfo, back.PageInfo)
			}
		})

		t.Run("the duty-list gaps list the posts without an acknowledged list in four statements", func(t *testing.T) {
			f.n.Store(0)
			p, err := f.svc.DutyListGaps(head, staffing.GapInput{Page: staffing.Page{First: 500}})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.n.Load(); got != 4 {
				t.Errorf("%d statements, want 4", got)
			}
			reasons := map[int]domain.DutyGapReason{}
			for _, g := range p.Rows {
				reasons[g.Post.ID] = g.Reason
				if g.Post.Role == domain.RoleAuditor {
					t.Errorf("an auditor's post is listed")
				}
			}
			for user, want := range map[string]domain.DutyGapReason{"chengguan.head": domain.DutyGapUnacknowledged,
				"xihe.deputy": domain.DutyGapUnacknowledged, "xihe.head": domain.DutyGapNoList, "admin": domain.DutyGapNoList,
				"county.head": "", "cement.principal": ""} {
				if got := reasons[f.demo.Posts[user][0]]; got != want {
					t.Errorf("%s: %q, want %q", user, got, want)
				}
			}
			unack, err := f.svc.DutyListGaps(head, staffing.GapInput{Reasons: []domain.DutyGapReason{domain.DutyGapUnacknowledged},
				Page: staffing.Page{First: 50}})
			if err != nil || unack.TotalCount != 2 {
				t.Errorf("unacknowledged: %v, %+v", err, unack)
			}
			town := f.demo.Units[seed.CodeTownChengguan]
			cg, err := f.svc.DutyListGaps(f.as("chengguan.head"), staffing.GapInput{UnitID: &town, Page: staffing.Page{First: 50}})
			if err != nil || cg.TotalCount == 0 {
				t.Fatalf("城关镇: %v, %+v", err, cg)
			}
			for _, g := range cg.Rows {
				if !strings.HasPrefix(g.Post.ScopePath, cgPath(t, d, town)) {
					t.Errorf("post %d is not in 城关镇", g.Post.ID)
				}
			}
		})

		t.Run("a holder acknowledges; a new version needs a new acknowledgement", func(t *testing.T) {
			cgHead := f.as("chengguan.head")
			l := dutyListOf(t, d, f.demo.Posts["chengguan.head"][0])
			if _, err := f.svc.AcknowledgeDutyList(f.as("chengguan.secretary"), l.ID, l.Version); codeOf(err) != apperr.Forbidden {
				t.Errorf("the secretary acknowledges the head's list: %v", err)
			}
			if _, err := f.svc.AcknowledgeDutyList(cgHead, l.ID, l.Version-1); codeOf(err) != apperr.Conflict {
				t.Errorf("an old version: %v", err)
			}
			got, err := f.svc.AcknowledgeDutyList(cgHead, l.ID, l.Version)
			if err != nil || !staffing.Acknowledged(got) || *got.AcknowledgedByName != "赵国强" {
				t.Fatalf("acknowledged: %v %+v", err, got)
			}
			if _, err := f.svc.AcknowledgeDutyList(cgHead, l.ID, l.Version); codeOf(err) != apperr.BadUserInput {
				t.Errorf("twice: %v", err)
			}
			next, err := f.svc.SetDutyList(head, f.demo.Posts["chengguan.head"][0], []string{" 对全镇安全生产工作负总责。 "})
			if err != nil || next.Version != l.Version+1 || staffing.Acknowledged(next) || next.Items[0] != "对全镇安全生产工作负总责。" {
				t.Fatalf("new version: %v %+v", err, next)
			}
		})
		t.Run("the governed do not write the government's duties", func(t *testing.T) {
			for _, c := range []struct {
				who, post string
				want      apperr.Code
			}{
				{"chengguan.head", "county.head", apperr.NotFound},
				{"cement.principal", "nanshan.head", apperr.NotFound},
				{"auditor.county", "chengguan.head", apperr.Forbidden},
				{"paper.safety", "paper.safety", apperr.Forbidden},
			} {
				if _, err := f.svc.SetDutyList(f.as(c.who), f.demo.Posts[c.post][0], []string{"职责"}); codeOf(err) != c.want {
					t.Errorf("%s writes %s's list: %v, want %s", c.who, c.post, err, c.want)
				}
			}
		})

		t.Run("certificates: who records, and bad input writes nothing", func(t *testing.T) {
			issued := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
			in := staffing.CertificateInput{UnitID: f.demo.Units[seed.CodeCement], HolderName: "刘志强", Kind: domain.CertSpecialOperation,
				Number: "T3411002024001", Issuer: "市应急管理局", IssuedOn: issued, ValidUntil: issued.AddDate(6, 0, 0)}
			if _, err := f.svc.RecordCertificate(f.as("cement.principal"), in); err != nil {
				t.Fatalf("the enterprise records its own: %v", err)
			}
			before := count(t, d)
			again := in
			again.HolderName = "另一人"
			bad := in
			bad.Number, bad.ValidUntil = "T3411002024002", issued.AddDate(0, 0, -1)
			fresh := in
			fresh.Number = "T3411002024004"
			town := in
			town.Number, town.UnitID = "T3411002024003", f.demo.Units[seed.CodeTownNanshan]
			for _, c := range []struct {
				name, who string
				in        staffing.CertificateInput
				want      apperr.Code
			}{
				{"a duplicate number", "county.head", again, apperr.BadUserInput},
				{"valid until before issued", "county.head", bad, apperr.BadUserInput},
				{"a government unit", "county.head", town, apperr.BadUserInput},
				{"another town's enterprise", "chengguan.head", fresh, apperr.NotFound},
				{"an auditor", "auditor.county", again, apperr.Forbidden},
			} {
				if _, err := f.svc.RecordCertificate(f.as(c.who), c.in); codeOf(err) != c.want {
					t.Errorf("%s: %v, want %s", c.name, err, c.want)
				}
			}
			if after := count(t, d); after != before {
				t.Errorf("refusals wrote certificates: %d → %d", before, after)
			}
		})
	})
}

func cgPath(t *testing.T, d *db.DB, id int) string {
	u, err := d.Client.Unit.Get(authz.SystemContext(context.Background()), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.ScopePath
}

func count(t *testing.T, d *db.DB) int {
	n, err := d.Client.Certificate.Query().Count(authz.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func dutyListOf(t *testing.T, d *db.DB, postID int) *ent.DutyList {
	l, err := d.Client.DutyList.Query().Where(dutylist.PostID(postID)).Only(authz.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// addCertificates records n more certificates at the cement plant, as the system.
func addCertificates(t *testing.T, c *ent.Client, b *seed.Built, n int) {
	ctx := authz.SystemContext(context.Background())
	tx, err := c.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c = tx.Client()
	creates := make([]*ent.CertificateCreate, n)
	for i := range creates {
		creates[i] = c.Certificate.Create().SetTenantID(b.TenantID).SetUnitID(b.Units[seed.CodeCement]).SetHolderName("员工").
			SetKind(domain.CertSpecialOperation).SetNumber(fmt.Sprintf("T%06d", i)).SetIssuer("市应急管理局").
			SetIssuedOn(time.Now().AddDate(-1, 0, 0)).SetValidUntil(time.Now().AddDate(0, 0, i))
	}
	if err := c.Certificate.CreateBulk(creates...).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
