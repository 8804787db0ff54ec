package graph_test

// Campaigns (专项整治) and the sectors of the posts that organise and
// advance them, on every available database.

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

const (
	createCampaignDoc  = `mutation($in: CreateCampaignInput!) { createCampaign(input: $in) { campaign { id allowedActions } } }`
	advanceCampaignDoc = `mutation($id: ID!) { advanceCampaign(input: {id: $id}) { campaign { id stage } } }`
)

// campaignInput is a valid createCampaign input organised by organiser for
// sectors.
func campaignInput(organiser string, sectors ...string) map[string]any {
	var stages []any
	for i, st := range []string{"DEPLOYMENT", "INSPECTION", "RECTIFICATION", "SUMMARY"} {
		stages = append(stages, map[string]any{"stage": st,
			"plannedStart": fmt.Sprintf("2024-%02d-01T00:00:00Z", 3*i+1), "plannedEnd": fmt.Sprintf("2024-%02d-28T00:00:00Z", 3*i+3)})
	}
	return map[string]any{"organiserID": organiser, "name": "专项整治", "sectors": sectors, "stages": stages}
}

// A post limited to sectors organises and advances only a campaign all of
// whose sectors it holds (docs/AUTHZ.md, "Acts that reach other sectors"):
// the county's INDUSTRY deputy holds a post at the county, the organiser,
// but neither organises a campaign of commerce enterprises nor advances
// the county's commerce and fuel campaign, and its allowedActions say so;
// it organises and advances an industrial one, and the county head, whose
// post has no sectors, still advances the commerce and fuel campaign.
func TestSectorDeputiesOrganiseAndAdvanceOnlyCampaignsOfTheirSectors(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head, industry := s.As("county.head"), s.As("county.deputy.industry")
		county := unitID(t, s, head, seed.CodeCounty)
		commerceFuel := idOf(t, s, head, "campaigns", `{name: "2023年重点场所消防安全、燃气安全专项整治"}`)
		allowed := func(token, id string) []string {
			var n struct{ AllowedActions []string }
			nodeOf(t, s, token, id, `... on Campaign { allowedActions }`, &n)
			return n.AllowedActions
		}
		t.Run("the industry deputy reads the commerce and fuel campaign but may not advance it; the county head may", func(t *testing.T) {
			require.Empty(t, allowed(industry, commerceFuel))
			require.Equal(t, []string{"ADVANCE"}, allowed(head, commerceFuel))
		})
		for _, c := range []struct {
			name, query string
			vars        map[string]any
		}{
			{"the industry deputy cannot advance the county's commerce and fuel campaign", advanceCampaignDoc,
				map[string]any{"id": commerceFuel}},
			{"the industry deputy cannot organise a campaign of commerce enterprises", createCampaignDoc,
				map[string]any{"in": campaignInput(county, "COMMERCE")}},
			{"the industry deputy cannot organise a campaign of industrial and commerce enterprises", createCampaignDoc,
				map[string]any{"in": campaignInput(county, "INDUSTRY", "COMMERCE")}},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, s)
				r := gq(t, s, industry, c.query, c.vars)
				apitest.RequireNoLeak(t, r)
				requireCode(t, r, "FORBIDDEN")
				require.Contains(t, r.Errors[0].Message, "concerns sectors outside your post's")
				requireUnchanged(t, s, before)
			})
		}
		t.Run("the industry deputy organises and advances a campaign of industrial enterprises", func(t *testing.T) {
			var out struct {
				CreateCampaign struct {
					Campaign struct {
						ID             string
						AllowedActions []string
					}
				}
			}
			gqOK(t, s, industry, createCampaignDoc, map[string]any{"in": campaignInput(county, "INDUSTRY")}).Decode(t, &out)
			require.Equal(t, []string{"ADVANCE"}, out.CreateCampaign.Campaign.AllowedActions)
			gqOK(t, s, industry, advanceCampaignDoc, map[string]any{"id": out.CreateCampaign.Campaign.ID})
		})
		t.Run("the county head still advances the commerce and fuel campaign", func(t *testing.T) {
			gqOK(t, s, head, advanceCampaignDoc, map[string]any{"id": commerceFuel})
		})
	})
}
