package graph_test

// Certificates and duty lists end to end on every available database: who
// sees which certificates (a town head its town's enterprises' only), the
// certificate status and duty-list gap views with their statements, a
// holder acknowledging their duty list, and every refusal writing nothing.

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

const recordCertificate = `mutation($in: RecordCertificateInput!) {
  recordCertificate(input: $in) { certificate { id status holderName allowedActions holder { username } } }
}`

const acknowledgeDutyList = `mutation($in: AcknowledgeDutyListInput!) {
  acknowledgeDutyList(input: $in) { dutyList { id version acknowledged acknowledgedByName allowedActions } }
}`

// certificateUnits counts the certificates token reads by the name of
// their unit.
func certificateUnits(t *testing.T, s *apitest.Server, token string) map[string]int {
	var out struct {
		Certificates struct {
			Edges []struct {
				Node struct{ Unit struct{ Name string } }
			}
		}
	}
	gqOK(t, s, token, `{ certificates(first: 100) { edges { node { unit { name } } } } }`, nil).Decode(t, &out)
	units := map[string]int{}
	for _, e := range out.Certificates.Edges {
		units[e.Node.Unit.Name]++
	}
	return units
}

func TestCertificatesAndDutyLists(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		t.Run("a town head sees the certificates of its town's enterprises only", func(t *testing.T) {
			require.Equal(t, map[string]int{"示范县南湖大酒店有限公司": 2, "中国石油示范县城关加油站": 1}, certificateUnits(t, s, s.As("chengguan.head")))
			require.Equal(t, map[string]int{"示范县恒固水泥有限公司": 2, "回转窑车间": 1}, certificateUnits(t, s, s.As("cement.principal")))
			require.Equal(t, map[string]int{"邻县青石建材有限公司": 1}, certificateUnits(t, s, s.As(seed.NeighborSecretary)))
			require.Equal(t, 10, totalCount(t, s, s.As("auditor.county"), "certificates", ""))
		})
		t.Run("the certificate status counts the county's enterprises, 持证率 50%", func(t *testing.T) {
			var out struct {
				CertificateStatus struct {
					TotalCount int
					Summary    struct {
						Valid, Expiring90, Expiring30, Expired, Required, Held, Missing int
						HeldPercent                                                     float64
					}
				}
			}
			gqOK(t, s, head, `{ certificateStatus(first: 5) { totalCount summary { valid expiring90 expiring30 expired required held missing heldPercent } } }`, nil).Decode(t, &out)
			sum := out.CertificateStatus.Summary
			require.Equal(t, []int{4, 2, 2, 2, 2, 1, 1}, []int{sum.Valid, sum.Expiring90, sum.Expiring30, sum.Expired, sum.Required, sum.Held, sum.Missing})
			require.Equal(t, 50.0, sum.HeldPercent)
		})
		t.Run("the views cost the same statements for a page of 1 and of 20", func(t *testing.T) {
			for _, q := range []string{
				`{ certificateStatus(first: %d) { edges { node { enterprise { name } counts { missing heldPercent } } } } }`,
				`{ dutyListGaps(first: %d) { edges { node { reason post { title } dutyList { version } } } } }`,
			} {
				one, twenty := fewestStatementsOf(t, s, head, fmt.Sprintf(q, 1)), fewestStatementsOf(t, s, head, fmt.Sprintf(q, 20))
				require.Equal(t, one, twenty, "%s", q)
			}
		})
		t.Run("the gap list of 城关镇 shows its head's unacknowledged list", func(t *testing.T) {
			cg := unitID(t, s, head, seed.CodeTownChengguan)
			var out struct {
				DutyListGaps struct {
					Edges []struct {
						Node struct {
							Reason string
							Post   struct{ Title string }
						}
					}
				}
			}
			gqOK(t, s, s.As("chengguan.head"), `query($u: ID!) { dutyListGaps(where: {unitID: $u, reasons: [UNACKNOWLEDGED]}) { edges { node { reason post { title } } } } }`,
				map[string]any{"u": cg}).Decode(t, &out)
			require.Len(t, out.DutyListGaps.Edges, 1)
			require.Equal(t, "城关镇镇长", out.DutyListGaps.Edges[0].Node.Post.Title)
		})

		list := idOf(t, s, head, "dutyLists", `{version: 2}`)
		t.Run("only the holder acknowledges, and a new version asks again", func(t *testing.T) {
			before := snapshot(t, s)
			r := gq(t, s, s.As("chengguan.secretary"), acknowledgeDutyList, map[string]any{"in": map[string]any{"id": list, "version": 2}})
			requireCode(t, r, "FORBIDDEN")
			requireUnchanged(t, s, before)

			var out struct {
				AcknowledgeDutyList struct {
					DutyList struct {
						Acknowledged       bool
						AcknowledgedByName string
						AllowedActions     []string
					}
				}
			}
			gqOK(t, s, s.As("chengguan.head"), acknowledgeDutyList, map[string]any{"in": map[string]any{"id": list, "version": 2}}).Decode(t, &out)
			got := out.AcknowledgeDutyList.DutyList
			require.True(t, got.Acknowledged)
			require.Equal(t, "赵国强", got.AcknowledgedByName)
			require.NotContains(t, got.AllowedActions, "ACKNOWLEDGE")

			var set struct {
				SetDutyList struct {
					DutyList struct {
						Version      int
						Acknowledged bool
					}
				}
			}
			gqOK(t, s, head, `mutation($in: SetDutyListInput!) { setDutyList(input: $in) { dutyList { version acknowledged } } }`,
				map[string]any{"in": map[string]any{"postID": postOfUser(t, s, head, "chengguan.head"), "items": []any{"对全镇安全生产工作负总责。"}}}).Decode(t, &set)
			require.Equal(t, 3, set.SetDutyList.DutyList.Version)
			require.False(t, set.SetDutyList.DutyList.Acknowledged)
			var post struct {
				Node struct {
					DutyList struct{ AllowedActions []string }
				}
			}
			gqOK(t, s, s.As("chengguan.head"), `query($id: ID!) { node(id: $id) { ... on Post { dutyList { allowedActions } } } }`,
				map[string]any{"id": postOfUser(t, s, head, "chengguan.head")}).Decode(t, &post)
			require.Equal(t, []string{"EDIT", "ACKNOWLEDGE"}, post.Node.DutyList.AllowedActions, "a town head writes and acknowledges their own")
		})

		mech := unitID(t, s, head, seed.CodeMech)
		good := map[string]any{"unitID": mech, "holderName": "黄国庆", "kind": "PRINCIPAL", "number": "AQ341100202400009",
			"issuer": "市应急管理局", "issuedOn": "2024-03-01T00:00:00Z", "validUntil": "2099-02-28T00:00:00Z"}
		with := func(kv ...any) map[string]any {
			out := map[string]any{}
			for k, v := range good {
				out[k] = v
			}
			for i := 0; i+1 < len(kv); i += 2 {
				out[kv[i].(string)] = kv[i+1]
			}
			return out
		}
		t.Run("the enterprise's town records a certificate it may then update", func(t *testing.T) {
			var out struct {
				RecordCertificate struct {
					Certificate struct {
						Status         string
						AllowedActions []string
					}
				}
			}
			gqOK(t, s, s.As("chengguan.head"), recordCertificate, map[string]any{"in": good}).Decode(t, &out)
			require.Equal(t, "VALID", out.RecordCertificate.Certificate.Status)
			require.Equal(t, []string{"UPDATE"}, out.RecordCertificate.Certificate.AllowedActions)
		})
		for _, c := range []struct {
			name, as string
			in       map[string]any
			code     string
		}{
			{"a duplicate number of the kind and issuer is refused", "county.head", with("holderName", "另一人"), "BAD_USER_INPUT"},
			{"valid until before issued on is refused", "county.head", with("number", "AQ341100202400010", "validUntil", "2024-02-01T00:00:00Z"), "BAD_USER_INPUT"},
			{"a certificate of a government unit is refused", "county.head", with("number", "AQ341100202400011", "unitID", unitID(t, s, head, seed.CodeTownXihe)), "BAD_USER_INPUT"},
			{"another town's enterprise is not found", "xihe.head", with("number", "AQ341100202400012"), "NOT_FOUND"},
			{"an auditor records nothing", "auditor.county", with("number", "AQ341100202400013"), "FORBIDDEN"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, s)
				r := gq(t, s, s.As(c.as), recordCertificate, map[string]any{"in": c.in})
				requireCode(t, r, c.code)
				requireUnchanged(t, s, before)
			})
		}
	}, func(c *config.Config) { c.StatementHeader = true })
}
