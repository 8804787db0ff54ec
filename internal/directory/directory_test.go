package directory_test

// The directory import on every available database: the demo county's
// directory exported and imported into an empty tenant with the same
// government tree comes back equal; a file with one bad value in each
// column writes nothing and names every one; an import is scoped to the
// caller's jurisdiction.

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/directory"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/org"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

var demoTemplate = &testdb.Template{Name: "directory", Build: func(ctx context.Context, d *db.DB) error {
	_, err := seed.DemoCore(ctx, d.Client)
	return err
}}

// signIn returns ctx as userID of tenant.
func signIn(t *testing.T, d *db.DB, tenant, userID int) context.Context {
	t.Helper()
	ctx := context.Background()
	if err := authz.EnsureTenant(ctx, d.Client, tenant); err != nil {
		t.Fatal(err)
	}
	store, err := authz.NewStore(ctx, d.Client, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := authz.LoadViewer(ctx, d.Client, store.Current(), userID, tenant, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return authz.NewContext(ctx, v)
}

// emptyCopy creates tenant "copy" with the government units of the demo
// tenant (same codes) under a city, and one administrator, importer, at
// the city.
func emptyCopy(t *testing.T, d *db.DB, demo int) (tenant, importer int) {
	t.Helper()
	ctx := authz.SystemContext(context.Background())
	c := d.Client
	tn, err := c.Tenant.Create().SetCode("copy").SetName("复制县").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	units, err := c.Unit.Query().Where(unit.TenantID(demo), unit.KindIn(domain.KindCity, domain.KindCounty, domain.KindTown, domain.KindDepartment)).
		Order(ent.Asc(unit.FieldDepth), ent.Asc(unit.FieldID)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A city above the copied county: heads' posts at the county are
	// granted only from above it (the importer's post).
	city, err := c.Unit.Create().SetTenantID(tn.ID).SetKind(domain.KindCity).SetCode("CITY").SetName("复制市").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	root := city.ID
	ids := map[int]int{}
	for _, u := range units {
		q := c.Unit.Create().SetTenantID(tn.ID).SetKind(u.Kind).SetCode(u.Code).SetName(u.Name).SetNillableSector(u.Sector).
			SetSupervisedSectors(u.SupervisedSectors)
		if u.ParentID != nil {
			q.SetParentID(ids[*u.ParentID])
		} else {
			q.SetParentID(city.ID)
		}
		nu, err := q.Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids[u.ID] = nu.ID
	}
	us, err := c.User.Create().SetTenantID(tn.ID).SetUsername("importer").SetDisplayName("导入员").SetPasswordHash("x").SetUnitID(root).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Post.Create().SetTenantID(tn.ID).SetUserID(us.ID).SetUnitID(root).SetRole(domain.RoleAdmin).
		SetValidFrom(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)).Save(ctx); err != nil {
		t.Fatal(err)
	}
	return tn.ID, us.ID
}

func exported(t *testing.T, ctx context.Context, c *ent.Client, skipUser string) map[string][]string {
	t.Helper()
	rows, err := directory.Export(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for sheet, rs := range rows {
		for _, r := range rs {
			if sheet != directory.SheetEnterprises && (fmt.Sprint(r[0]) == skipUser || fmt.Sprint(r[1]) == "CITY") {
				continue
			}
			out[sheet] = append(out[sheet], fmt.Sprint(r...))
		}
		sort.Strings(out[sheet])
	}
	return out
}

func TestDirectoryImport(t *testing.T) {
	demoTemplate.Each(t, func(t *testing.T, d *db.DB) {
		b, err := seed.Load(context.Background(), d.Client, seed.TenantDemo)
		if err != nil {
			t.Fatal(err)
		}
		admin := signIn(t, d, b.TenantID, b.Users["admin"])
		tenant, importer := emptyCopy(t, d, b.TenantID)
		asImporter := signIn(t, d, tenant, importer)
		good, err := domain.CreditCodeWithCheck("91341100MA2N00007")
		if err != nil {
			t.Fatal(err)
		}
		im := &directory.Importer{Client: d.Client, Org: &org.Service{Client: d.Client, Dialect: d.Dialect, Now: time.Now}}

		t.Run("the exported directory imports into an empty tenant and exports the same", func(t *testing.T) {
			want := exported(t, admin, d.Client, "")
			rows, err := directory.Export(admin, d.Client)
			if err != nil {
				t.Fatal(err)
			}
			var file bytes.Buffer
			if err := directory.WriteExport(&file, rows); err != nil {
				t.Fatal(err)
			}
			dry, err := im.Import(asImporter, bytes.NewReader(file.Bytes()), true)
			if err != nil {
				t.Fatal(err)
			}
			if len(dry.Problems) > 0 || dry.Written {
				t.Fatalf("dry run: problems %+v, written %v", dry.Problems, dry.Written)
			}
			if n := len(exported(t, asImporter, d.Client, "importer")[directory.SheetEnterprises]); n != 0 {
				t.Fatalf("the dry run wrote %d enterprises", n)
			}
			rep, err := im.Import(asImporter, bytes.NewReader(file.Bytes()), false)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) > 0 || !rep.Written {
				t.Fatalf("import: problems %+v", rep.Problems)
			}
			if rep.Enterprises != len(want[directory.SheetEnterprises]) || rep.Users != len(want[directory.SheetUsers]) || rep.Posts != len(want[directory.SheetPosts]) {
				t.Errorf("imported %d/%d/%d, exported %d/%d/%d", rep.Enterprises, rep.Users, rep.Posts,
					len(want[directory.SheetEnterprises]), len(want[directory.SheetUsers]), len(want[directory.SheetPosts]))
			}
			if len(rep.UsersWithoutPassword) != rep.Users {
				t.Errorf("%d users listed for a password reset, %d imported without one", len(rep.UsersWithoutPassword), rep.Users)
			}
			got := exported(t, asImporter, d.Client, "importer")
			for _, sheet := range []string{directory.SheetEnterprises, directory.SheetUsers, directory.SheetPosts} {
				if fmt.Sprint(got[sheet]) != fmt.Sprint(want[sheet]) {
					t.Errorf("sheet %s differs after the round trip:\n got %v\nwant %v", sheet, got[sheet], want[sheet])
				}
			}
		})

		t.Run("a file with one bad value in each column writes nothing and names them all", func(t *testing.T) {
			f := excelize.NewFile()
			must := func(err error) {
				if err != nil {
					t.Fatal(err)
				}
			}
			must(f.SetSheetName("Sheet1", directory.SheetEnterprises))
			must(f.SetSheetRow(directory.SheetEnterprises, "A1", &[]any{"名称", "编码", "所属镇街编码", "统一社会信用代码", "行业", "规模", "从业人数"}))
			must(f.SetSheetRow(directory.SheetEnterprises, "A2", &[]any{"好企业", "ENT-NEW-1", "TOWN-CG", good, "工业", "规上工业", "10"}))
			must(f.SetSheetRow(directory.SheetEnterprises, "A3", &[]any{"坏企业", "ENT-NEW-2", "TOWN-NOWHERE", "not-a-code", "养殖", "巨型", "many"}))
			_, err := f.NewSheet(directory.SheetUsers)
			must(err)
			must(f.SetSheetRow(directory.SheetUsers, "A1", &[]any{"用户名", "姓名", "所属单位编码", "初始密码"}))
			must(f.SetSheetRow(directory.SheetUsers, "A2", &[]any{"county.head", "重名", "COUNTY", "long-enough-password"}))
			must(f.SetSheetRow(directory.SheetUsers, "A3", &[]any{"Bad Name!", "", "COUNTY", "short"}))
			_, err = f.NewSheet(directory.SheetPosts)
			must(err)
			must(f.SetSheetRow(directory.SheetPosts, "A1", &[]any{"用户名", "单位编码", "角色", "职务", "分管行业", "起始日期"}))
			must(f.SetSheetRow(directory.SheetPosts, "A2", &[]any{"nobody.here", "TOWN-CG", "检查员", "驻点", "", ""}))
			must(f.SetSheetRow(directory.SheetPosts, "A3", &[]any{"county.head", "UNIT-NOWHERE", "检查员", "驻点", "", ""}))
			must(f.SetSheetRow(directory.SheetPosts, "A4", &[]any{"county.head", "TOWN-CG", "国王", "驻点", "", ""}))
			must(f.SetSheetRow(directory.SheetPosts, "A5", &[]any{"county.head", "TOWN-CG", "检查员", "驻点", "养殖", ""}))
			must(f.SetSheetRow(directory.SheetPosts, "A6", &[]any{"county.head", "TOWN-CG", "检查员", "驻点", "", "not-a-date"}))
			var file bytes.Buffer
			_, err = f.WriteTo(&file)
			must(err)
			before := exported(t, admin, d.Client, "")
			rep, err := im.Import(admin, bytes.NewReader(file.Bytes()), false)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Written {
				t.Fatal("a file with bad rows was written")
			}
			cells := map[string]bool{}
			for _, p := range rep.Problems {
				cells[fmt.Sprintf("%s!%d:%s", p.Sheet, p.Row, p.Column)] = true
				if p.Message == "" || p.Code == apperr.Internal {
					t.Errorf("problem without a clear message: %+v", p)
				}
			}
			for _, want := range []string{"企业!3:所属镇街编码", "企业!3:统一社会信用代码", "企业!3:行业", "企业!3:规模", "企业!3:从业人数",
				"用户!2:用户名", "用户!3:姓名",
				"岗位!2:用户名", "岗位!3:单位编码", "岗位!4:角色", "岗位!5:分管行业", "岗位!6:起始日期"} {
				if !cells[want] {
					t.Errorf("no problem named for %s; problems: %+v", want, rep.Problems)
				}
			}
			if cells["企业!2:"] || cells["企业!2:名称"] {
				t.Errorf("the good row was reported: %+v", rep.Problems)
			}
			if after := exported(t, admin, d.Client, ""); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Error("the failed import wrote something")
			}
		})

		t.Run("an import is scoped to the caller's jurisdiction", func(t *testing.T) {
			f := excelize.NewFile()
			defer f.Close()
			if err := f.SetSheetName("Sheet1", directory.SheetEnterprises); err != nil {
				t.Fatal(err)
			}
			_ = f.SetSheetRow(directory.SheetEnterprises, "A1", &[]any{"名称", "编码", "所属镇街编码", "统一社会信用代码", "行业"})
			_ = f.SetSheetRow(directory.SheetEnterprises, "A2", &[]any{"越界企业", "ENT-OUT-1", "TOWN-XH", good, "工业"})
			var file bytes.Buffer
			if _, err := f.WriteTo(&file); err != nil {
				t.Fatal(err)
			}
			town := signIn(t, d, b.TenantID, b.Users["chengguan.admin"])
			rep, err := im.Import(town, bytes.NewReader(file.Bytes()), false)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Written || len(rep.Problems) != 1 {
				t.Fatalf("城关镇's admin importing into 西河镇: written %v, problems %+v", rep.Written, rep.Problems)
			}
			if code := rep.Problems[0].Code; code != apperr.NotFound && code != apperr.Forbidden {
				t.Errorf("problem code %s, want NOT_FOUND or FORBIDDEN", code)
			}
		})
	})
}
