package authz_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// A post acts on a record concerning sectors when it has none or holds
// every one of them.
func TestHoldsSectors(t *testing.T) {
	fuel, industryFuel := []domain.Sector{domain.SectorFuel}, []domain.Sector{domain.SectorIndustry, domain.SectorFuel}
	for _, c := range []struct {
		name          string
		post, subject []domain.Sector
		holds         bool
	}{
		{"a post without sectors holds every record", nil, industryFuel, true},
		{"a FUEL post holds a FUEL record", fuel, fuel, true},
		{"a FUEL post does not hold an INDUSTRY and FUEL record", fuel, industryFuel, false},
		{"an INDUSTRY and FUEL post holds a FUEL record", industryFuel, fuel, true},
		{"a FUEL post holds a record of no sectors", fuel, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.holds, authz.HoldsSectors(authz.Grant{Sectors: c.post}, c.subject))
		})
	}
}

// An act on a record some of whose parts the caller does not read is
// FORBIDDEN, naming the parts; the system acts on everything.
func TestSeesAll(t *testing.T) {
	user := authz.NewContext(context.Background(), &authz.Viewer{UserID: 7, Tenant: 1})
	require.NoError(t, authz.SeesAll(user, 3, 3, "this training has trainees"))
	require.NoError(t, authz.SeesAll(user, 0, 0, "this training has trainees"))
	err := authz.SeesAll(user, 2, 3, "this training has trainees")
	require.Equal(t, apperr.Forbidden, apperr.CodeOf(err))
	require.Contains(t, err.Error(), "this training has trainees outside your jurisdiction")
	require.NoError(t, authz.SeesAll(authz.SystemContext(context.Background()), 0, 3, "this training has trainees"))
	require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(authz.SeesAll(context.Background(), 3, 3, "x")))
}
