package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/seed"
)

func TestEveryMutationAppendsItsAuditEvents(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		schema := introspect(t, s, admin)
		nodes := nodeTypes(t, s, admin)
		cases := goodInputs()
		expect := auditExpectations()
		demoIDs := demoRefs(t, s, admin)
		id := func(r ref) int { return decodeID(t, demoIDs[r]) }
		var all []string
		for _, m := range schema.mutations {
			all = append(all, m.Name)
		}
		// Sessions last: logout revokes the admin's refresh tokens and
		// changePassword changes the password the logins use.
		sort.Slice(all, func(i, j int) bool {
			last := map[string]int{"logout": 1, "changePassword": 2}
			if last[all[i]] != last[all[j]] {
				return last[all[i]] < last[all[j]]
			}
			return all[i] < all[j]
		})
		payloadNodes := payloadNodeFields(t, s, admin, nodes)
		returnsNode := map[string]string{}
		for _, m := range schema.mutations {
			returnsNode[m.Name] = payloadNodes[m.Type.named().Name]
		}
		// Reseating a group writes only its seats: the group row it returns
		// is unchanged, so no event is about it.
		delete(returnsNode, "setLeadershipGroupMembers")
		// The time zone is a row of the tenant's settings: the tenant it
		// returns is unchanged.
		delete(returnsNode, "setTenantTimeZone")
		for _, name := range all {
			require.Contains(t, expect, name, "mutation %s: add what it records to auditExpectations (audit_test.go)", name)
		}
		for name := range expect {
			require.Contains(t, all, name, "auditExpectations names %s, which is not in the schema any more", name)
		}
		var rootPath string
		require.NoError(t, s.DB.SQL.QueryRow(`SELECT scope_path FROM units WHERE id = $1`, decodeID(t, unitID(t, s, admin, seed.CodeCounty))).Scan(&rootPath))

		var planned int // the inspection createRandomDraw plans
		// Checks of particular values, beyond operations and fields.
		checks := map[string]func(t *testing.T, got []storedEvent, returned int){
			"updateUnit": func(t *testing.T, got []storedEvent, _ int) {
				ch, _ := audit.DecodeChanges(got[0].Changes)
				require.JSONEq(t, `"改名后的车间"`, string(ch["name"].After))
				require.NotEqual(t, string(ch["name"].Before), string(ch["name"].After))
			},
			"createChecklistTemplate": func(t *testing.T, got []storedEvent, _ int) {
				require.Equal(t, rootPath, got[0].Path, "a tenant-wide type is scoped to the tenant root")
			},
			"createCampaign": func(t *testing.T, got []storedEvent, _ int) {
				requireAfterID(t, got[0], "organiser_id", id(refTown))
			},
			"advanceCampaign": func(t *testing.T, got []storedEvent, _ int) {
				require.Equal(t, id(refCampaign), *got[0].Ent)
				ch, _ := audit.DecodeChanges(got[0].Changes)
				require.NotEqual(t, string(ch["stage"].Before), string(ch["stage"].After))
			},
			"recordInspection": func(t *testing.T, got []storedEvent, _ int) {
				requireAfterID(t, got[0], "target_id", id(refEnterpriseUnit))
				requireAfterID(t, got[0], "inspecting_unit_id", id(refBureau))
			},
			"createRandomDraw": func(t *testing.T, got []storedEvent, returned int) {
				require.Equal(t, returned, *got[0].Ent)
				requireAfterID(t, got[1], "random_draw_id", returned)
				require.Equal(t, "PLANNED", afterValue(t, got[1], "status"))
				planned = *got[1].Ent
			},
			"reportHazard": func(t *testing.T, got []storedEvent, returned int) {
				require.Equal(t, returned, *got[0].Ent)
				requireAfterID(t, got[0], "subject_id", id(refEnterpriseUnit))
				requireStep(t, got[1], returned, "REPORT")
				require.Equal(t, got[0].Path, got[1].Path, "a hazard's history is scoped as the hazard")
			},
			"transitionHazard": func(t *testing.T, got []storedEvent, _ int) {
				require.Equal(t, id(refHazard), *got[0].Ent)
				ch, _ := audit.DecodeChanges(got[0].Changes)
				require.JSONEq(t, `false`, string(ch["supervised"].Before))
				require.JSONEq(t, `true`, string(ch["supervised"].After))
				requireStep(t, got[1], id(refHazard), "SUPERVISE")
				require.Equal(t, "挂牌督办", afterValue(t, got[1], "note"))
				require.Equal(t, got[0].Path, got[1].Path, "a hazard's history is scoped as the hazard")
			},
		}
		// Letters: the letter row changed is the one named by the input, and
		// the history entry is about it.
		letterStep := func(r ref, action string, changes map[string]string) func(t *testing.T, got []storedEvent, returned int) {
			return func(t *testing.T, got []storedEvent, returned int) {
				l, e := got[len(got)-2], got[len(got)-1]
				require.Equal(t, id(r), *l.Ent)
				require.Equal(t, id(r), returned)
				for f, after := range changes {
					require.Equal(t, after, afterValue(t, l, f), f)
				}
				require.EqualValues(t, beforeValue(t, l, "version").(float64)+1, afterValue(t, l, "version"), "the version is bumped")
				requireStep(t, e, id(r), action)
				require.Equal(t, l.Path, e.Path, "a letter's history is scoped as the letter")
			}
		}
		checks["updateLetter"] = letterStep(refDraftLetter1, "UPDATED", map[string]string{"title": "修改后的责任状"})
		checks["issueLetter"] = letterStep(refDraftLetter2, "ISSUED", map[string]string{"state": "ISSUED"})
		checks["signLetter"] = func(t *testing.T, got []storedEvent, returned int) {
			letterStep(refIssuedLetter1, "SIGNED", map[string]string{"state": "PARTIALLY_SIGNED"})(t, got, returned)
			requireAfterID(t, got[0], "letter_id", id(refIssuedLetter1))
			requireAfterID(t, got[0], "user_id", *got[0].Actor)
			requireAfterID(t, got[0], "post_id", *got[0].Post)
		}
		checks["revokeLetter"] = letterStep(refIssuedLetter2, "REVOKED", map[string]string{"state": "REVOKED", "revoke_reason": "测试撤回"})
		checks["archiveLetter"] = letterStep(refSignedLetter, "ARCHIVED", map[string]string{"state": "ARCHIVED"})
		checks["createLetter"] = func(t *testing.T, got []storedEvent, returned int) {
			require.Equal(t, returned, *got[0].Ent)
			requireAfterID(t, got[0], "issuer_unit_id", id(refCounty))
			requireAfterID(t, got[0], "signee_unit_id", id(refTown2))
			require.Equal(t, "DRAFT", afterValue(t, got[0], "state"))
			requireStep(t, got[1], returned, "CREATED")
		}
		checks["deleteLetter"] = func(t *testing.T, got []storedEvent, _ int) {
			require.EqualValues(t, id(refDraftLetter3), beforeValue(t, got[0], "letter_id"))
			require.Equal(t, id(refDraftLetter3), *got[1].Ent)
			require.Equal(t, "DRAFT", beforeValue(t, got[1], "state"))
			require.Nil(t, afterValue(t, got[1], "state"))
		}
		checks["bulkIssueLetters"] = func(t *testing.T, got []storedEvent, _ int) {
			signees := map[any]bool{}
			for i := 0; i < len(got); i += 3 {
				l := got[i]
				requireAfterID(t, l, "issuer_unit_id", id(refCounty))
				require.Equal(t, "ISSUED", afterValue(t, l, "state"))
				signees[afterValue(t, l, "signee_unit_id")] = true
				requireStep(t, got[i+1], *l.Ent, "CREATED")
				requireStep(t, got[i+2], *l.Ent, "ISSUED")
			}
			require.Len(t, signees, len(got)/3, "one letter per child")
		}
		checks["attachLetterFile"] = func(t *testing.T, got []storedEvent, returned int) {
			require.Equal(t, returned, *got[0].Ent)
			requireAfterID(t, got[0], "owner_id", id(refIssuedLetter3))
			content := cases["attachLetterFile"].args["input"].(map[string]any)["file"].(upload).Content
			sum := sha256.Sum256(content)
			require.Equal(t, hex.EncodeToString(sum[:]), afterValue(t, got[0], "sha256"))
			require.EqualValues(t, len(content), afterValue(t, got[0], "size"))
			require.NotContains(t, got[0].Changes, "a scanned letter", "the content is not in the log")
			requireStep(t, got[1], id(refIssuedLetter3), "ATTACHED")
		}
		for _, name := range []string{"changePassword", "createUser"} {
			checks[name] = func(t *testing.T, got []storedEvent, _ int) {
				ch, _ := audit.DecodeChanges(got[0].Changes)
				require.True(t, ch["password_hash"].Redacted, "the password hash is redacted")
			}
		}

		users := map[string]int{}
		run := func(t *testing.T, c auditedCall) {
			t.Helper()
			if c.as == "" {
				c.as = "admin"
			}
			token := s.As(c.as) // signed in before the events are counted
			if c.token != "" {
				token = c.token
			}
			if _, ok := users[c.as]; !ok {
				users[c.as] = decodeID(t, userID(t, s, admin, c.as))
			}
			actorID := users[c.as]
			if c.name == "login" || c.name == "refreshToken" {
				token = ""
			}
			if c.node != "" {
				c.query = strings.Replace(c.query, "{ __typename }", "{ "+c.node+" { __typename id } }", 1)
			}
			rowsBefore := auditedRows(t, s)
			before := lastEventID(t, s)
			r := call{query: c.query, vars: c.vars, files: c.files}.send(t, s, token)
			require.Empty(t, r.Errors, "unexpected errors for %s", oneLine(c.query))
			got := eventsAfter(t, s, before)
			changed := changedRows(rowsBefore, auditedRows(t, s))

			require.Len(t, got, len(c.want), "%s appended %+v", c.name, got)
			var returned int
			var returnedType string
			var data map[string]any
			r.Decode(t, &data)
			payload, _ := data[c.name].(map[string]any)
			if obj, ok := payload[c.node].(map[string]any); ok && c.node != "" {
				returned = decodeID(t, obj["id"].(string))
				returnedType = authz.Snake(obj["__typename"].(string))
			}
			seenReturned := 0
			var about []string // the rows the entity events are about
			for i, w := range c.want {
				e := got[i]
				require.Equal(t, w.op, e.Op, "event %d of %s", i, c.name)
				require.Equal(t, w.typ, e.Type, "event %d of %s", i, c.name)
				require.NotNil(t, e.Actor, "%s: the actor is recorded", c.name)
				require.Equal(t, actorID, *e.Actor, "%s: %s acted", c.name, c.as)
				require.Equal(t, c.as, e.ActorName)
				ch, err := audit.DecodeChanges(e.Changes)
				require.NoError(t, err)
				var fields []string
				for f, v := range ch {
					fields = append(fields, f)
					for _, secret := range []string{"password", "token", "secret", "private_key"} {
						if strings.Contains(f, secret) {
							require.True(t, v.Redacted, "%s: %s is redacted", c.name, f)
						}
					}
				}
				require.ElementsMatch(t, w.fields, fields, "%s: the fields of event %d (%s %s): %s", c.name, i, e.Op, e.Type, e.Changes)
				switch e.Op {
				case "CREATE", "UPDATE", "DELETE", "PASSWORD_CHANGE", "POLICY_CHANGE":
					require.NotNil(t, e.Post, "%s: the post acted under is recorded", c.name)
					var holder int
					require.NoError(t, s.DB.SQL.QueryRow(`SELECT user_id FROM posts WHERE id = $1`, *e.Post).Scan(&holder))
					require.Equal(t, actorID, holder, "%s: the post acted under is one of %s's", c.name, c.as)
				}
				switch e.Op {
				case "CREATE", "UPDATE", "DELETE", "PASSWORD_CHANGE":
					require.NotNil(t, e.Ent, "%s: the row is named", c.name)
					about = append(about, fmt.Sprintf("%s#%d", e.Type, *e.Ent))
				}
				if returned != 0 && e.Ent != nil && *e.Ent == returned && e.Type == returnedType {
					seenReturned++
				}
				require.NotNil(t, e.RequestID, "%s: the request id is recorded", c.name)
				require.Equal(t, *got[0].RequestID, *e.RequestID, "%s: the events of one request share its id", c.name)
				require.NotContains(t, e.Changes, "argon2", "no password hash in the log")
				require.NotContains(t, e.Changes, seed.DemoPassword)
			}
			if c.node != "" {
				require.NotZero(t, returned)
				require.Equal(t, 1, seenReturned, "%s: exactly one event is about the %s it returns", c.name, returnedType)
			}
			// One event per changed row: every row the request wrote has
			// exactly one event, and every entity event is about a row it
			// wrote.
			sort.Strings(about)
			require.Equal(t, slices.Compact(slices.Clone(about)), about, "%s: one event per row", c.name)
			require.Equal(t, changed, about, "%s: the rows written and the rows the events are about", c.name)
			if c.check != nil {
				c.check(t, got, returned)
			}
		}

		// A session of the admin's own for refreshToken and logout.
		login := `mutation($in: LoginInput!) { login(input: $in) { accessToken refreshToken } }`
		loginVars := map[string]any{"in": map[string]any{"tenant": "demo", "username": "admin", "password": seed.DemoPassword}}
		for _, name := range all {
			t.Run(name, func(t *testing.T) {
				c := auditedCall{name: name, as: cases[name].as, node: returnsNode[name], want: expect[name], check: checks[name]}
				switch name {
				case "login":
					c.query, c.vars = login, loginVars
				case "refreshToken":
					r := gqOK(t, s, "", login, loginVars)
					var out struct{ Login struct{ RefreshToken string } }
					r.Decode(t, &out)
					c.query = `mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken } }`
					c.vars = map[string]any{"t": out.Login.RefreshToken}
				case "changePassword":
					// logout, just before, ended the admin's sessions.
					var out struct{ Login struct{ AccessToken string } }
					gqOK(t, s, "", login, loginVars).Decode(t, &out)
					c.token = out.Login.AccessToken
					b, err := schema.build(name, cases[name], demoIDs)
					require.NoError(t, err)
					c.query, c.vars, c.files = b.query, b.vars, b.files
				default:
					b, err := schema.build(name, cases[name], demoIDs)
					require.NoError(t, err)
					c.query, c.vars, c.files = b.query, b.vars, b.files
				}
				run(t, c)
			})
		}

		// Paths of the hazard mutations that the good inputs do not take,
		// each writing other rows.
		head := "county.head"
		var found int // the hazard the inspection finds
		t.Run("recordInspection with a failed item and its hazard", func(t *testing.T) {
			run(t, auditedCall{name: "recordInspection", as: "bureau.chief", node: "inspection",
				query: `mutation($in: RecordInspectionInput!) { recordInspection(input: $in) { __typename } }`,
				vars: map[string]any{"in": map[string]any{"type": "SPECIAL", "inspectingUnitID": demoIDs[refBureau],
					"targetID": demoIDs[refEnterpriseUnit], "inspectorIDs": []string{demoIDs[refUser], demoIDs[refUser2]},
					"inspectedOn": "2023-03-02T00:00:00Z", "conclusion": "发现隐患1处",
					"results": []any{map[string]any{"itemCode": "X-1", "result": "FAIL", "note": "灭火器压力不足"}},
					"hazards": []any{map[string]any{"itemCode": "X-1", "level": "GENERAL", "category": "消防安全",
						"description": "灭火器压力不足", "deadline": "2030-01-01T00:00:00Z"}}}},
				// The inspection, the hazard it found and the hazard's first
				// history entry.
				want: []expectedEvent{{"CREATE", "inspection", []string{"type", "status", "inspecting_unit_id", "target_id",
					"inspector_ids", "inspected_on", "results", "conclusion"}},
					{"CREATE", "hazard", append(slices.Clone(hazardFields), "inspection_id")},
					{"CREATE", "hazard_event", hazardEventFields}},
				check: func(t *testing.T, got []storedEvent, returned int) {
					require.Equal(t, returned, *got[0].Ent)
					requireAfterID(t, got[1], "inspection_id", returned)
					require.Equal(t, "INSPECTION", afterValue(t, got[1], "source"))
					requireStep(t, got[2], *got[1].Ent, "REPORT")
					found = *got[1].Ent
				},
			})
		})
		t.Run("recordInspection of the inspection the random draw planned", func(t *testing.T) {
			require.NotZero(t, planned)
			run(t, auditedCall{name: "recordInspection", as: "bureau.chief", node: "inspection",
				query: `mutation($in: RecordInspectionInput!) { recordInspection(input: $in) { __typename } }`,
				vars: map[string]any{"in": map[string]any{"plannedID": gid.Encode(planned), "inspectedOn": "2023-04-03T00:00:00Z",
					"conclusion": "未发现问题", "results": []any{map[string]any{"itemCode": "X-1", "result": "PASS"}}}},
				// The planned row is completed: only what changed.
				want: []expectedEvent{{"UPDATE", "inspection", []string{"status", "inspected_on", "results", "conclusion"}}},
				check: func(t *testing.T, got []storedEvent, _ int) {
					require.Equal(t, planned, *got[0].Ent)
					ch, _ := audit.DecodeChanges(got[0].Changes)
					require.JSONEq(t, `"PLANNED"`, string(ch["status"].Before))
					require.JSONEq(t, `"DONE"`, string(ch["status"].After))
				},
			})
		})
		photo := []byte("%PDF-1.4\n% the new extinguisher\n")
		t.Run("transitionHazard CLOSE_ON_SPOT with a photo", func(t *testing.T) {
			require.NotZero(t, found)
			run(t, auditedCall{name: "transitionHazard", as: head, node: "hazard",
				query: `mutation($in: TransitionHazardInput!) { transitionHazard(input: $in) { __typename } }`,
				vars:  map[string]any{"in": map[string]any{"id": gid.Encode(found), "action": "CLOSE_ON_SPOT", "note": "当场更换灭火器", "attachments": []any{nil}}},
				files: map[string]apitest.File{"variables.in.attachments.0": {Name: "after.pdf", Content: photo}},
				// The hazard, its history entry and the photo attached to
				// the entry (metadata; the content is in the file store).
				want: []expectedEvent{{"UPDATE", "hazard", []string{"state", "closed_at"}},
					{"CREATE", "hazard_event", hazardEventFields},
					{"CREATE", "file", []string{"owner_id", "sha256", "size", "content_type", "filename", "uploader_name",
						"uploaded_by_user_id", "uploaded_by_post_id", "issuer_only"}}},
				check: func(t *testing.T, got []storedEvent, _ int) {
					require.Equal(t, found, *got[0].Ent)
					ch, _ := audit.DecodeChanges(got[0].Changes)
					require.JSONEq(t, `"REPORTED"`, string(ch["state"].Before))
					require.JSONEq(t, `"CLOSED"`, string(ch["state"].After))
					requireStep(t, got[1], found, "CLOSE_ON_SPOT")
					require.Equal(t, "REPORTED", afterValue(t, got[1], "from_state"))
					require.Equal(t, "CLOSED", afterValue(t, got[1], "to_state"))
					requireAfterID(t, got[2], "owner_id", *got[1].Ent)
					sum := sha256.Sum256(photo)
					require.Equal(t, hex.EncodeToString(sum[:]), afterValue(t, got[2], "sha256"))
					require.NotContains(t, got[2].Changes, "the new extinguisher", "the content is not in the log")
					require.Equal(t, got[0].Path, got[2].Path, "the photo is scoped as the hazard")
				},
			})
		})
		requireChainsIntact(t, s)
	})
}
