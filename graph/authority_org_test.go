package graph_test

// Write authority over structure and people (docs/AUTHZ.md, "Authority"):
// the attacks a tenant's own users tried on the demo data, each refused
// with nothing written, beside the call of whoever may.

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
)

func TestDepartmentHeadCannotWidenItsOwnJurisdiction(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		emergency := unitID(t, s, admin, seed.CodeDeptEmergency)
		bureau := unitID(t, s, admin, seed.CodeDeptIndustryCommerce)
		chief := s.As("emergency.chief")
		seen := totalCount(t, s, chief, "enterprises", "")
		runRefusals(t, s, []refusal{
			{name: "emergency.chief gives its own bureau the industry, commerce and fuel mandate", user: "emergency.chief",
				query: updateUnitQ, vars: idInput(emergency, "supervisedSectors", []any{"INDUSTRY", "COMMERCE", "FUEL"}),
				codes: []string{"FORBIDDEN"}},
			{name: "bureau.chief rewrites its own bureau's mandate", user: "bureau.chief",
				query: updateUnitQ, vars: idInput(bureau, "supervisedSectors", []any{"INDUSTRY", "COMMERCE", "FUEL", "OTHER"}),
				codes: []string{"FORBIDDEN"}},
		})
		require.Equal(t, seen, totalCount(t, s, chief, "enterprises", ""), "emergency.chief's jurisdiction did not grow")

		t.Run("the county's head sets a department's mandate", func(t *testing.T) {
			gqOK(t, s, s.As("county.head"), updateUnitQ, idInput(emergency, "supervisedSectors", []any{"FUEL"}))
			require.Equal(t, seed.FuelStations, totalCount(t, s, chief, "enterprises", "{sector: FUEL}"))
		})
	})
}

func TestGovernedCannotChangeWhoSupervisesThem(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		cement, hotel := enterpriseID(t, s, admin, nameCement), enterpriseID(t, s, admin, nameHotel)
		bureau := unitID(t, s, admin, seed.CodeDeptIndustryCommerce)
		emergency := unitID(t, s, admin, seed.CodeDeptEmergency)
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		credit := validCredit(t, "341199", "MA2Q7K3L9")
		newEnterprise := func(code string, departments ...any) map[string]any {
			kv := []any{"name", "城关新开超市", "code", code, "townID", chengguan, "creditCode", credit, "sector", "COMMERCE"}
			if departments != nil {
				kv = append(kv, "supervisingDepartmentIDs", departments)
			}
			return input(kv...)
		}
		runRefusals(t, s, []refusal{
			{name: "cement.principal removes every regulator of its own plant", user: "cement.principal",
				query: updateEnterpriseQ, vars: idInput(cement, "supervisingDepartmentIDs", []any{}), codes: []string{"FORBIDDEN"}},
			{name: "chengguan.head removes the bureau from its town's hotel", user: "chengguan.head",
				query: updateEnterpriseQ, vars: idInput(hotel, "supervisingDepartmentIDs", []any{}), codes: []string{"FORBIDDEN"}},
			{name: "bureau.chief adds 县应急管理局 to the cement plant's regulators", user: "bureau.chief",
				query: updateEnterpriseQ, vars: idInput(cement, "supervisingDepartmentIDs", []any{bureau, emergency}), codes: []string{"FORBIDDEN"}},
			{name: "chengguan.head creates an enterprise with a regulator of its choice", user: "chengguan.head",
				query: createEnterpriseQ, vars: newEnterprise("ENT-CG-NEW", emergency), codes: []string{"FORBIDDEN"}},
		})
		require.Contains(t, names(s, s.As("bureau.chief"), "enterprises", ""), nameCement, "the bureau still sees the plant")

		t.Run("chengguan.head creates an enterprise whose regulators follow the mandates", func(t *testing.T) {
			gqOK(t, s, s.As("chengguan.head"), createEnterpriseQ, newEnterprise("ENT-CG-NEW"))
			require.Contains(t, names(s, s.As("bureau.chief"), "enterprises", ""), "城关新开超市")
		})
		t.Run("the county's ADMIN changes who supervises the hotel", func(t *testing.T) {
			gqOK(t, s, admin, updateEnterpriseQ, idInput(hotel, "supervisingDepartmentIDs", []any{bureau, emergency}))
			require.Contains(t, names(s, s.As("emergency.chief"), "enterprises", ""), nameHotel)
		})
	})
}

// holdCountyHead gives username (whose home unit is a town) a
// GOVERNMENT_HEAD post at the county, as seeding would: no user of the
// tenant may grant it (heads are appointed from above the county).
func holdCountyHead(t *testing.T, s *apitest.Server, username string) {
	t.Helper()
	ctx := authz.SystemContext(context.Background())
	u, err := s.DB.Client.User.Get(ctx, decodeID(t, userID(t, s, s.As("admin"), username)))
	require.NoError(t, err)
	county := decodeID(t, unitID(t, s, s.As("admin"), seed.CodeCounty))
	require.NoError(t, s.DB.Client.Post.Create().SetTenantID(u.TenantID).SetUserID(u.ID).SetUnitID(county).SetRole(domain.RoleGovernmentHead).
		SetTitle("常务副县长（兼）").SetValidFrom(time.Now().Add(-time.Hour)).Exec(ctx))
}

func TestTownAdminCannotTakeOverCountyOfficial(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		gqOK(t, s, admin, createUserQ, input("username", "cg.official", "displayName", "城关籍县领导",
			"password", seed.DemoPassword, "unitID", chengguan))
		holdCountyHead(t, s, "cg.official")
		official := userID(t, s, admin, "cg.official")
		runRefusals(t, s, []refusal{
			{name: "chengguan.admin resets the password of a county head living in 城关镇", user: "chengguan.admin",
				query: updateUserQ, vars: idInput(official, "password", "taken-over-password-1"), codes: []string{"FORBIDDEN"}},
			{name: "chengguan.admin disables them", user: "chengguan.admin",
				query: updateUserQ, vars: idInput(official, "status", "DISABLED"), codes: []string{"FORBIDDEN"}},
			{name: "chengguan.admin gives them a post in 城关镇", user: "chengguan.admin",
				query: createPostQ, vars: input("userID", official, "unitID", chengguan, "role", "INSPECTOR"), codes: []string{"FORBIDDEN"}},
		})
		t.Run("the county's ADMIN resets it", func(t *testing.T) {
			gqOK(t, s, admin, updateUserQ, idInput(official, "password", "county-reset-password-1"))
		})
	})
}

func TestAdminCannotAppointItself(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, cgAdmin := s.As("admin"), s.As("chengguan.admin")
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		self := userID(t, s, admin, "chengguan.admin")
		gqOK(t, s, cgAdmin, createUserQ, input("username", "cg.clerk", "displayName", "城关镇干部",
			"password", seed.DemoPassword, "unitID", chengguan))
		clerk := userID(t, s, admin, "cg.clerk")
		ownPost := postID(t, s, admin, "城关镇系统管理员")
		runRefusals(t, s, []refusal{
			{name: "chengguan.admin makes itself PARTY_SECRETARY of 城关镇", user: "chengguan.admin",
				query: createPostQ, vars: input("userID", self, "unitID", chengguan, "role", "PARTY_SECRETARY"), codes: []string{"FORBIDDEN"}},
			{name: "chengguan.admin makes itself an INSPECTOR of 城关镇", user: "chengguan.admin",
				query: createPostQ, vars: input("userID", self, "unitID", chengguan, "role", "INSPECTOR"), codes: []string{"FORBIDDEN"}},
			{name: "chengguan.admin extends its own post", user: "chengguan.admin",
				query: updatePostQ, vars: idInput(ownPost, "clearValidTo", true, "title", "终身管理员"), codes: []string{"FORBIDDEN"}},
			{name: "chengguan.admin appoints a GOVERNMENT_HEAD of its own town", user: "chengguan.admin",
				query: createPostQ, vars: input("userID", clerk, "unitID", chengguan, "role", "GOVERNMENT_HEAD"), codes: []string{"FORBIDDEN"}},
			{name: "chengguan.admin ends the town secretary's post", user: "chengguan.admin",
				query: endPostQ, vars: map[string]any{"id": postID(t, s, admin, "城关镇党委书记")}, codes: []string{"FORBIDDEN"}},
		})
		t.Run("the county's ADMIN appoints a head of 城关镇", func(t *testing.T) {
			gqOK(t, s, admin, createPostQ, input("userID", clerk, "unitID", chengguan, "role", "GOVERNMENT_HEAD", "title", "代镇长"))
		})
		t.Run("chengguan.admin appoints an INSPECTOR of its town", func(t *testing.T) {
			gqOK(t, s, cgAdmin, createPostQ, input("userID", clerk, "unitID", chengguan, "role", "INSPECTOR", "title", "城关镇安监员"))
		})

		head := s.As("county.head")
		l := createLetter(t, s, head, 2024, unitID(t, s, admin, seed.CodeCounty), chengguan, true)
		step(t, s, head, "issueLetter", l.ID)
		runRefusals(t, s, []refusal{
			{name: "chengguan.admin signs the county→城关镇 letter", user: "chengguan.admin",
				query: `mutation($id: ID!) { signLetter(input: {id: $id}) { letter { id } } }`, vars: map[string]any{"id": l.ID}, codes: []string{"FORBIDDEN"}},
			{name: "the county's ADMIN gives ADMIN the right to sign letters", user: "admin",
				query: `mutation($in: AddPolicyRuleInput!) { addPolicyRule(input: $in) { rules { role } } }`,
				vars:  input("role", "ADMIN", "object", "letter", "action", "sign"), codes: []string{"BAD_USER_INPUT"}},
		})
	})
}
