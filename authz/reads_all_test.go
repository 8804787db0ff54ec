package authz_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/domain"
)

// A stored count of a record's parts is told only to a viewer certain to
// read every part: a post with no sectors at the record's unit or above it,
// whose role reads the type.
func TestReadsAllUnderOnlyForPostsWithoutSectorsAtOrAboveThePath(t *testing.T) {
	p := policyFor(t, 1)
	grant := func(path, role string, sectors ...domain.Sector) authz.Grant {
		return authz.Grant{Tenant: 1, UnitID: 9, UnitKind: domain.KindCounty, Path: path, Role: role, Sectors: sectors}
	}
	for _, tc := range []struct {
		name   string
		grants []authz.Grant
		path   string
		want   bool
	}{
		{"a head at the record's unit reads all its parts", []authz.Grant{grant("/1/7/", "GOVERNMENT_HEAD")}, "/1/7/", true},
		{"a head above the record's unit reads all its parts", []authz.Grant{grant("/1/", "PARTY_SECRETARY")}, "/1/7/", true},
		{"a deputy with sectors at the record's unit may not", []authz.Grant{grant("/1/7/", "DEPUTY", domain.Sector("FUEL"))}, "/1/7/", false},
		{"a head below the record's unit may not", []authz.Grant{grant("/1/7/3/", "GOVERNMENT_HEAD")}, "/1/7/", false},
		{"a head of a sibling unit whose id shares a prefix may not", []authz.Grant{grant("/1/70/", "GOVERNMENT_HEAD")}, "/1/7/", false},
		{"the directory grant does not count", []authz.Grant{{Tenant: 1, Path: "/1/", Role: authz.RoleMember, DirectoryOnly: true}}, "/1/7/", false},
		{"one of several posts is enough", []authz.Grant{grant("/1/7/", "DEPUTY", domain.Sector("FUEL")), grant("/1/", "INSPECTOR")}, "/1/7/", true},
		{"no path, no certainty", []authz.Grant{grant("/1/", "GOVERNMENT_HEAD")}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &authz.Viewer{UserID: 1, Tenant: 1, Grants: tc.grants, Policy: p}
			assert.Equal(t, tc.want, v.ReadsAllUnder("training", tc.path))
		})
	}
	t.Run("nobody reads nothing, the system everything", func(t *testing.T) {
		var nobody *authz.Viewer
		assert.False(t, nobody.ReadsAllUnder("training", "/1/"))
		assert.True(t, authz.FromContext(authz.SystemContext(context.Background())).ReadsAllUnder("training", "/1/"))
	})
	t.Run("the tenant root is the path's first unit", func(t *testing.T) {
		assert.Equal(t, "/1/", authz.TenantRootPath("/1/5/9/"))
		assert.Equal(t, "/12/", authz.TenantRootPath("/12/"))
		assert.Equal(t, "", authz.TenantRootPath(""))
	})
}
