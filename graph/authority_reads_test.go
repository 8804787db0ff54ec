package graph_test

// Read authority (docs/AUTHZ.md): a DRAFT letter, its history and its
// attachments are read by the issuer side only, until it is issued; a
// sector deputy reads only the random draws whose roster lies within its
// sectors. Both are the read filter's, so lists, totals, node() and the
// attachment loader agree. The writes are made through the services, the
// reads through the API.

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/inspections"
	"github.com/dutychain/dutychain/internal/letters"
	"github.com/dutychain/dutychain/internal/seed"
)

const letterReadQ = `query($id: ID!) { node(id: $id) { id ... on ResponsibilityLetter { state attachments { id } events { action } } } }`

// actingAs is the context of a demo user acting through a service, as a
// resolver would call it.
func actingAs(t testing.TB, s *apitest.Server, username string) context.Context {
	t.Helper()
	ctx := context.Background()
	u, err := s.DB.Client.User.Query().Where(user.Username(username)).Only(authz.SystemContext(ctx))
	require.NoError(t, err)
	v, err := authz.LoadViewer(ctx, s.DB.Client, s.App.Policy.Current(), u.ID, u.TenantID, s.Clock.Now())
	require.NoError(t, err)
	return authz.NewContext(ctx, v)
}

// localID is the database id behind an API id.
func localID(t testing.TB, id string) int {
	t.Helper()
	n, err := gid.Decode(id)
	require.NoError(t, err)
	return n
}

// nodeVisible reports whether node(id) returns the object to token.
func nodeVisible(t testing.TB, s *apitest.Server, token, id string) bool {
	t.Helper()
	var out struct{ Node *struct{ ID string } }
	gqOK(t, s, token, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}).Decode(t, &out)
	return out.Node != nil
}

func TestSigneeSideDoesNotReadDraftLetters(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		countyHead, qiaotouHead := s.As("county.head"), s.As("qiaotou.head")
		letter := letterID(t, s, countyHead, 2023, seed.CodeCounty, seed.CodeTownQiaotou) // a DRAFT
		svc := &letters.Service{Client: s.DB.Client, Dialect: s.DB.Dialect, Files: s.App.Files, Now: s.Clock.Now}
		f, err := svc.Attach(actingAs(t, s, "county.head"), localID(t, letter),
			files.Upload{Filename: "草稿.pdf", Size: int64(len(pdf)), Content: bytes.NewReader(pdf)}, nil)
		require.NoError(t, err)
		file := gid.Encode(f.ID)
		qiaotou := unitID(t, s, countyHead, seed.CodeTownQiaotou)
		received := `{year: 2023, signeeUnitID: "` + qiaotou + `"}`

		t.Run("the issuer side reads the draft and its attachment", func(t *testing.T) {
			require.True(t, nodeVisible(t, s, countyHead, letter))
			require.True(t, nodeVisible(t, s, countyHead, file))
			require.Equal(t, 1, totalCount(t, s, countyHead, "responsibilityLetters", received))
		})
		for _, who := range []string{"qiaotou.head", "qiaotou.secretary"} {
			t.Run(who+" neither lists nor loads the draft addressed to the town", func(t *testing.T) {
				token := s.As(who)
				require.Zero(t, totalCount(t, s, token, "responsibilityLetters", received))
				require.False(t, nodeVisible(t, s, token, letter), "node(draft letter)")
				require.False(t, nodeVisible(t, s, token, file), "node(attachment of a draft)")
			})
		}
		t.Run("once issued the signee side reads the letter, its history and its attachment", func(t *testing.T) {
			_, err := svc.Issue(actingAs(t, s, "county.head"), localID(t, letter))
			require.NoError(t, err)
			var out struct {
				Node *struct {
					State       string
					Attachments []struct{ ID string }
					Events      []struct{ Action string }
				}
			}
			gqOK(t, s, qiaotouHead, letterReadQ, map[string]any{"id": letter}).Decode(t, &out)
			require.NotNil(t, out.Node)
			require.Equal(t, "ISSUED", out.Node.State)
			require.Len(t, out.Node.Attachments, 1)
			var actions []string
			for _, e := range out.Node.Events {
				actions = append(actions, e.Action)
			}
			require.Equal(t, []string{"CREATED", "ATTACHED", "ISSUED"}, actions)
			require.True(t, nodeVisible(t, s, qiaotouHead, file))
			require.Equal(t, 1, totalCount(t, s, qiaotouHead, "responsibilityLetters", received))
		})
	})
}

func TestSectorDeputyReadsOnlyDrawsOfItsSectors(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		bureau := localID(t, unitID(t, s, admin, seed.CodeDeptIndustryCommerce))
		i1, i2 := localID(t, userID(t, s, admin, "bureau.inspector1")), localID(t, userID(t, s, admin, "bureau.inspector2"))
		svc := &inspections.Service{Client: s.DB.Client, Now: s.Clock.Now}
		chief := actingAs(t, s, "bureau.chief")
		draw := func(sectors ...domain.Sector) string {
			d, err := svc.CreateRandomDraw(chief, inspections.DrawInput{OrganiserID: bureau, Sectors: sectors, TargetCount: 1,
				InspectorIDs: []int{i1, i2}, InspectionDate: s.Clock.Now().Add(30 * 24 * time.Hour)})
			require.NoError(t, err)
			return gid.Encode(d.ID)
		}
		fuel, commerce, both := draw(domain.SectorFuel), draw(domain.SectorCommerce), draw(domain.SectorFuel, domain.SectorCommerce)
		all := draw()

		cases := []struct {
			user    string
			visible map[string]bool
		}{
			{"bureau.chief", map[string]bool{fuel: true, commerce: true, both: true, all: true}},
			{"bureau.fuel", map[string]bool{fuel: true}},
		}
		for _, c := range cases {
			t.Run(c.user+" reads the draws of its sectors only", func(t *testing.T) {
				token := s.As(c.user)
				for name, id := range map[string]string{"FUEL": fuel, "COMMERCE": commerce, "FUEL and COMMERCE": both, "every sector": all} {
					require.Equal(t, c.visible[id], nodeVisible(t, s, token, id), "node(draw of %s)", name)
				}
				require.Equal(t, len(c.visible), totalCount(t, s, token, "randomDraws", ""), "randomDraws totalCount")
			})
		}
		t.Run("the roster's sectors are stored as the draw's sector key", func(t *testing.T) {
			d, err := s.DB.Client.RandomDraw.Get(authz.SystemContext(context.Background()), localID(t, both))
			require.NoError(t, err)
			require.Equal(t, "COMMERCE,FUEL", *d.ScopeSector, "draw %s", strconv.Itoa(d.ID))
		})
	})
}
