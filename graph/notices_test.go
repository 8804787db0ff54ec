package graph_test

// Notices end to end on every available database: issue, receipt (签收),
// reply (反馈), attachments shared with the recipients, who reads what
// (the domain guide's demo users), and every refusal writing nothing.

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

const issueNotice = `mutation($in: IssueNoticeInput!) {
  issueNotice(input: $in) { notice { id documentNumber recipientCount issuer { name }
    receipts(first: 10) { totalCount edges { node { id recipientName status } } } } }
}`

const receiveNotice = `mutation($in: ReceiveNoticeInput!) {
  receiveNotice(input: $in) { receipt { id status receiverName receiverTitle receivedAt } }
}`

const replyNotice = `mutation($in: ReplyToNoticeInput!) {
  replyToNotice(input: $in) { receipt { id status reply repliedAt receiverName } }
}`

// noticeInput is a valid issueNotice input from issuer to recipients.
func noticeInput(issuer, number string, recipients ...string) map[string]any {
	return map[string]any{"issuerUnitID": issuer, "documentNumber": number, "kind": "NOTICE",
		"title": "关于开展汛期安全生产检查的通知", "body": "各镇（街）、各企业：……",
		"issuedOn": "2024-06-01T00:00:00Z", "receiptDue": "2024-06-08T00:00:00Z", "recipientUnitIDs": recipients}
}

// receiptOf returns the id of the receipt of the notice numbered number to
// the unit named recipient, as token sees it.
func receiptOf(t testing.TB, s *apitest.Server, token, number, recipient string) string {
	t.Helper()
	notice := idOf(t, s, token, "notices", fmt.Sprintf("{documentNumber: %q}", number))
	return idOf(t, s, token, "noticeReceipts", fmt.Sprintf("{noticeID: %q, recipientName: %q}", notice, recipient))
}

func TestNoticeFromIssueToFullReceipt(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		cg, xh, cement := unitID(t, s, head, seed.CodeTownChengguan), unitID(t, s, head, seed.CodeTownXihe), unitID(t, s, head, seed.CodeCement)
		in := noticeInput(unitID(t, s, head, seed.CodeCounty), "示安委〔2024〕5号", cg, xh, cement)
		in["replyDue"] = "2024-06-30T00:00:00Z"
		var issued struct {
			IssueNotice struct {
				Notice struct {
					ID             string
					RecipientCount int
					Receipts       struct {
						TotalCount int
						Edges      []struct {
							Node struct{ ID, RecipientName, Status string }
						}
					}
				}
			}
		}
		gqOK(t, s, head, issueNotice, map[string]any{"in": in}).Decode(t, &issued)
		n := issued.IssueNotice.Notice
		require.Equal(t, 3, n.RecipientCount)
		require.Equal(t, 3, n.Receipts.TotalCount)
		for _, e := range n.Receipts.Edges {
			require.Equal(t, "OVERDUE", e.Node.Status, "due 2024-06-08, not signed for") // today is past the due date
		}

		t.Run("the scanned notice is attached once and every recipient reads its copy", func(t *testing.T) {
			r := s.DoUpload(head, `mutation($in: AttachNoticeFileInput!) { attachNoticeFile(input: $in) { file { filename } notice { files { filename } } } }`,
				map[string]any{"in": map[string]any{"noticeID": n.ID, "file": nil, "description": "盖章扫描件"}},
				map[string]apitest.File{"variables.in.file": {Name: "notice.pdf", Content: pdf}})
			apitest.RequireNoLeak(t, r)
			require.Empty(t, r.Errors)
			cgReceipt := receiptOf(t, s, head, "示安委〔2024〕5号", "城关镇")
			var out struct {
				Node struct {
					Files  []struct{ Filename, URL string }
					Notice struct{ Title, DocumentNumber string }
				}
			}
			gqOK(t, s, s.As("chengguan.head"), `query($id: ID!) { node(id: $id) { ... on NoticeReceipt { files { filename url } notice { title documentNumber } } } }`,
				map[string]any{"id": cgReceipt}).Decode(t, &out)
			require.Len(t, out.Node.Files, 1)
			require.Equal(t, "示安委〔2024〕5号", out.Node.Notice.DocumentNumber, "a recipient reads the notice through its receipt")
			resp, body := s.Get(s.As("chengguan.head"), out.Node.Files[0].URL)
			require.Equal(t, 200, resp.StatusCode)
			require.Equal(t, pdf, body)
		})

		t.Run("each recipient signs for it in a post held there", func(t *testing.T) {
			for _, c := range []struct{ user, unit string }{{"chengguan.head", "城关镇"}, {"cement.principal", "示范县恒固水泥有限公司"}} {
				id := receiptOf(t, s, head, "示安委〔2024〕5号", c.unit)
				var out struct {
					ReceiveNotice struct {
						Receipt struct{ Status, ReceiverName, ReceiverTitle string }
					}
				}
				gqOK(t, s, s.As(c.user), receiveNotice, map[string]any{"in": map[string]any{"receiptID": id}}).Decode(t, &out)
				require.Equal(t, "RECEIVED", out.ReceiveNotice.Receipt.Status)
				require.NotEmpty(t, out.ReceiveNotice.Receipt.ReceiverName)
			}
		})

		t.Run("a reply signs for the notice too", func(t *testing.T) {
			id := receiptOf(t, s, head, "示安委〔2024〕5号", "西河镇")
			var out struct {
				ReplyToNotice struct {
					Receipt struct{ Status, Reply, ReceiverName string }
				}
			}
			gqOK(t, s, s.As("xihe.secretary"), replyNotice, map[string]any{"in": map[string]any{"receiptID": id, "reply": "已部署全镇检查。"}}).Decode(t, &out)
			require.Equal(t, "RECEIVED", out.ReplyToNotice.Receipt.Status)
			require.Equal(t, "已部署全镇检查。", out.ReplyToNotice.Receipt.Reply)
			require.Equal(t, "罗春生", out.ReplyToNotice.Receipt.ReceiverName)
		})

		t.Run("the coverage shows the notice fully received", func(t *testing.T) {
			var out struct {
				NoticeCoverage struct {
					TotalCount int
					Summary    struct{ Total, Received, Pending, Overdue int }
					Edges      []struct {
						Node struct {
							RecipientKind string
							Town          *struct{ Name string }
							Counts        struct{ Total, Received int }
						}
					}
				}
			}
			gqOK(t, s, head, `query($n: ID!) { noticeCoverage(where: {noticeID: $n}, first: 10) { totalCount summary { total received pending overdue }
				edges { node { recipientKind town { name } counts { total received } } } } }`, map[string]any{"n": n.ID}).Decode(t, &out)
			require.Equal(t, struct{ Total, Received, Pending, Overdue int }{3, 3, 0, 0}, out.NoticeCoverage.Summary)
			require.Equal(t, 3, out.NoticeCoverage.TotalCount, "a row per kind and town: the two towns, the cement plant in 南山镇")
		})

		t.Run("a receipt is signed for once", func(t *testing.T) {
			id := receiptOf(t, s, head, "示安委〔2024〕5号", "城关镇")
			before := snapshot(t, s)
			r := gq(t, s, s.As("chengguan.secretary"), receiveNotice, map[string]any{"in": map[string]any{"receiptID": id}})
			requireCode(t, r, "BAD_USER_INPUT")
			r = gq(t, s, s.As("xihe.head"), replyNotice, map[string]any{"in": map[string]any{"receiptID": receiptOf(t, s, head, "示安委〔2024〕5号", "西河镇"), "reply": "再次反馈"}})
			requireCode(t, r, "BAD_USER_INPUT")
			requireUnchanged(t, s, before)
		})
	})
}

func TestNoticeRefusalsWriteNothing(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head, bureau := s.As("county.head"), s.As("bureau.chief")
		county, cg := unitID(t, s, head, seed.CodeCounty), unitID(t, s, head, seed.CodeTownChengguan)
		with := func(in map[string]any, k string, v any) map[string]any {
			out := map[string]any{}
			for key, val := range in {
				out[key] = val
			}
			out[k] = v
			return out
		}
		good := noticeInput(county, "示安委〔2024〕7号", cg)
		pending := receiptOf(t, s, head, "示安委〔2023〕1号", "桥头镇")
		for _, c := range []struct {
			name, as, query string
			in              map[string]any
			code            string
		}{
			{"a document number the issuer already used is refused", "county.head", issueNotice,
				with(good, "documentNumber", "示安委〔2022〕9号"), "BAD_USER_INPUT"},
			{"an enterprise issues no notice (a government act)", "cement.principal", issueNotice,
				noticeInput(unitID(t, s, head, seed.CodeCement), "恒固〔2024〕1号", unitID(t, s, head, seed.CodeCementKiln)), "BAD_USER_INPUT"},
			{"a department sends no notice to a town, which is not below it", "bureau.chief", issueNotice,
				noticeInput(unitID(t, s, bureau, seed.CodeDeptIndustryCommerce), "示工信商务〔2024〕1号", cg), "BAD_USER_INPUT"},
			{"a unit out of the issuer's jurisdiction is not found", "chengguan.head", issueNotice,
				noticeInput(cg, "城关〔2024〕1号", unitID(t, s, head, seed.CodePaper)), "NOT_FOUND"},
			{"a notice from a unit where one holds no post is forbidden", "county.head", issueNotice,
				noticeInput(cg, "城关〔2024〕2号", unitID(t, s, head, seed.CodeHotel)), "FORBIDDEN"},
			{"a receipt due before the issue date is refused", "county.head", issueNotice,
				with(good, "receiptDue", "2024-05-01T00:00:00Z"), "BAD_USER_INPUT"},
			{"a date after 2100 is refused", "county.head", issueNotice, with(good, "issuedOn", "2101-01-01T00:00:00Z"), "BAD_USER_INPUT"},
			{"a notice without recipients is refused", "county.head", issueNotice, with(good, "recipientUnitIDs", []any{}), "BAD_USER_INPUT"},
			{"a recipient named twice is refused", "county.head", issueNotice, with(good, "recipientUnitIDs", []any{cg, cg}), "BAD_USER_INPUT"},
			{"an empty title is refused", "county.head", issueNotice, with(good, "title", "  "), "BAD_USER_INPUT"},
			{"a receipt by a user without a post at the recipient is forbidden", "county.head", receiveNotice,
				map[string]any{"receiptID": pending}, "FORBIDDEN"},
			{"a reply by a user without a post at the recipient is forbidden", "county.deputy.industry", replyNotice,
				map[string]any{"receiptID": receiptOf(t, s, head, "示安委〔2023〕1号", "县应急管理局"), "reply": "x"}, "FORBIDDEN"},
			{"a receipt of another town is not found", "chengguan.head", receiveNotice,
				map[string]any{"receiptID": pending}, "NOT_FOUND"},
			{"an empty reply is refused", "qiaotou.head", replyNotice, map[string]any{"receiptID": pending, "reply": " "}, "BAD_USER_INPUT"},
			{"a post one does not hold there is refused", "qiaotou.head", receiveNotice,
				map[string]any{"receiptID": pending, "postID": postOfUser(t, s, head, "qiaotou.secretary")}, "BAD_USER_INPUT"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, s)
				r := gq(t, s, s.As(c.as), c.query, map[string]any{"in": c.in})
				requireCode(t, r, c.code, fmt.Sprint(c.in))
				requireUnchanged(t, s, before)
			})
		}
	})
}

// The issuer side acts on a notice only when it reads every recipient's
// receipt (docs/AUTHZ.md, "Acts that reach other sectors"): a file attached
// to a notice is copied into each receipt, so the FUEL deputy of 县工信商务局
// — a post at the issuer, which is in its scope — does not attach files to
// the bureau's notice to industrial and commerce enterprises, whose
// receipts it cannot read. It does attach to the bureau's notice to a fuel
// station, and the bureau chief still attaches to the first.
func TestIssuerSideActsOnlyOnNoticesAllOfWhoseRecipientsItReads(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head, chief, fuel := s.As("county.head"), s.As("bureau.chief"), s.As("bureau.fuel")
		const attachDoc = `mutation($in: AttachNoticeFileInput!) { attachNoticeFile(input: $in) { file { id } } }`
		attach := func(token, notice string) *apitest.Response {
			return s.DoUpload(token, attachDoc, map[string]any{"in": map[string]any{"noticeID": notice, "file": nil, "description": "补充通知"}},
				map[string]apitest.File{"variables.in.file": {Name: "annex.pdf", Content: pdf}})
		}
		industryCommerce := idOf(t, s, chief, "notices", `{documentNumber: "示工信商务〔2022〕21号"}`)
		t.Run("the fuel deputy reads the notice but none of its industrial or commerce receipts", func(t *testing.T) {
			require.Positive(t, totalCount(t, s, chief, "noticeReceipts", fmt.Sprintf(`{noticeID: %q}`, industryCommerce)))
			require.Zero(t, totalCount(t, s, fuel, "noticeReceipts", fmt.Sprintf(`{noticeID: %q}`, industryCommerce)))
		})
		t.Run("the fuel deputy cannot attach a file to the notice to industrial and commerce enterprises", func(t *testing.T) {
			before := snapshot(t, s)
			r := attach(fuel, industryCommerce)
			apitest.RequireNoLeak(t, r)
			requireCode(t, r, "FORBIDDEN")
			require.Contains(t, r.Errors[0].Message, "this notice has recipients outside your jurisdiction")
			requireUnchanged(t, s, before)
		})
		t.Run("the fuel deputy attaches a file to the bureau's notice to a fuel station", func(t *testing.T) {
			in := noticeInput(unitID(t, s, head, seed.CodeDeptIndustryCommerce), "示工信商务〔2024〕3号", unitID(t, s, head, seed.CodeCNPCStation))
			id := mustID(t, s, fuel, issueNotice, map[string]any{"in": in}, "issueNotice.notice")
			r := attach(fuel, id)
			require.Empty(t, r.Errors)
		})
		t.Run("the bureau chief still attaches a file to the notice to industrial and commerce enterprises", func(t *testing.T) {
			r := attach(chief, industryCommerce)
			require.Empty(t, r.Errors)
		})
	})
}
