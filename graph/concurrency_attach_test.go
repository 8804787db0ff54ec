package graph_test

// Attachments racing a revocation, over HTTP on SQLite and PostgreSQL: an
// attachment is written only while its letter still takes attachments, so
// none lands on a letter revoked before it committed.

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/seed"
)

func TestAttachmentsRacingARevocation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tally := &raceTally{}
		head, signeeHead := s.As("county.head"), s.As("dongcheng.head")
		in := map[string]any{"year": 2027, "issuerUnitID": unitID(t, s, head, seed.CodeCounty),
			"signeeUnitID": unitID(t, s, head, seed.CodeTownDongcheng), "title": "附件竞争责任书", "targets": targets2024}
		for round := range raceRounds {
			t.Run(fmt.Sprintf("attachments by both sides while the issuer revokes: round %d", round+1), func(t *testing.T) {
				// Revoking frees the (year, issuer, signee) slot for the next round.
				id := mustID(t, s, head, `mutation($in: CreateLetterInput!) { createLetter(input: $in) { letter { id } } }`,
					map[string]any{"in": in}, "createLetter.letter")
				s.MustDo(head, `mutation($id: ID!) { issueLetter(input: {id: $id}) { letter { id } } }`, map[string]any{"id": id})
				outs := race(t, s, entrantsOf(func(i int) entrant {
					if i == 0 {
						return entrant{token: head, query: `mutation($in: RevokeLetterInput!) { revokeLetter(input: $in) { letter { id } } }`,
							vars: map[string]any{"in": map[string]any{"id": id, "reason": "附件竞争"}}}
					}
					return entrant{token: []string{head, signeeHead}[i%2], query: attachMutation,
						vars:  map[string]any{"id": id, "file": nil, "d": "扫描件"},
						files: map[string]apitest.File{"variables.file": {Name: fmt.Sprintf("第%d份.pdf", i), Content: pdf}}}
				}))
				require.True(t, outs[0].won(), "the revocation never loses to an attachment: %+v", outs[0].res.Errors)
				attached := slices.DeleteFunc(requireWinners(t, tally, outs), func(i int) bool { return i == 0 })
				for _, o := range outs[1:] {
					if o.res.Code() == "CONFLICT" {
						require.Contains(t, o.res.Errors[0].Message, "the letter changed: it is now REVOKED")
					}
				}

				letter, err := gid.Decode(id)
				require.NoError(t, err)
				history := letterHistory(t, s, letter)
				require.Equal(t, "REVOKED", history[len(history)-1], "nothing is attached after the revocation: %v", history)
				require.Equal(t, len(attached), count(history, "ATTACHED"), "one ATTACHED entry per attachment that won: %v", history)
				var files int
				require.NoError(t, s.DB.SQL.QueryRow(`SELECT COUNT(*) FROM files WHERE owner_id = $1`, letter).Scan(&files))
				require.Equal(t, len(attached), files, "one file per attachment that won")

				for i, o := range outs {
					got := auditOfRequest(t, s, o.requestID)
					switch {
					case i == 0:
						require.Equal(t, []string{"letter_event CREATE", "responsibility_letter UPDATE"}, got)
					case slices.Contains(attached, i):
						require.Equal(t, []string{"file CREATE", "letter_event CREATE"}, got, "an attachment is audited as the file and its history entry")
					default:
						require.Empty(t, got, "a refused attachment (entrant %d) left audit events", i)
					}
				}
			})
		}
		t.Log(tally)
	})
}

// letterHistory lists the actions of a letter's history in the order they
// were written.
func letterHistory(t *testing.T, s *apitest.Server, letter int) []string {
	t.Helper()
	rows, err := s.DB.SQL.Query(`SELECT action FROM letter_events WHERE letter_id = $1 ORDER BY id`, letter)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var action string
		require.NoError(t, rows.Scan(&action))
		out = append(out, action)
	}
	require.NoError(t, rows.Err())
	return out
}

func count(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}
