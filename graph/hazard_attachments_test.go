package graph_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

const attachStep = `mutation($in: TransitionHazardInput!) {
  transitionHazard(input: $in) { hazard {
    state
    timeline { action files { id filename contentType size url } }
  } }
}`

type stepFile struct {
	ID, Filename, ContentType, URL string
	Size                           int
}

// TestHazardStepsCarryPhotos: a rectification step is recorded with its
// before/after photos in the same transaction, and the photos are readable
// exactly where the hazard is.
func TestHazardStepsCarryPhotos(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		principal := s.As("cement.principal")
		id := report(t, s, "cement.principal", "ENT-CEMENT", "SELF_CHECK", "GENERAL")
		photo := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 128)...)

		t.Run("a file that is not a photo or PDF is refused and the step is not taken", func(t *testing.T) {
			before := snapshot(t, s)
			r := s.DoUpload(principal, attachStep,
				map[string]any{"in": map[string]any{"id": id, "action": "START_RECTIFICATION", "attachments": []any{nil}}},
				map[string]apitest.File{"variables.in.attachments.0": {Name: "notes.txt", Content: []byte("just text")}})
			require.Equal(t, "BAD_USER_INPUT", r.Code())
			requireUnchanged(t, s, before, "a refused attachment")
		})

		var out struct {
			TransitionHazard struct {
				Hazard struct {
					State    string
					Timeline []struct {
						Action string
						Files  []stepFile
					}
				}
			}
		}
		t.Run("the enterprise starts rectifying with a before photo", func(t *testing.T) {
			r := s.DoUpload(principal, attachStep,
				map[string]any{"in": map[string]any{"id": id, "action": "START_RECTIFICATION", "note": "整改前", "attachments": []any{nil}}},
				map[string]apitest.File{"variables.in.attachments.0": {Name: "before.png", Content: photo}})
			require.Empty(t, r.Errors)
			r.Decode(t, &out)
			require.Equal(t, "RECTIFYING", out.TransitionHazard.Hazard.State)
			last := out.TransitionHazard.Hazard.Timeline[len(out.TransitionHazard.Hazard.Timeline)-1]
			require.Equal(t, "START_RECTIFICATION", last.Action)
			require.Len(t, last.Files, 1)
			require.Equal(t, "before.png", last.Files[0].Filename)
			require.Equal(t, "image/png", last.Files[0].ContentType)
			require.Equal(t, len(photo), last.Files[0].Size)
		})
		url := "/files/" + out.TransitionHazard.Hazard.Timeline[len(out.TransitionHazard.Hazard.Timeline)-1].Files[0].ID // the header-authenticated download

		t.Run("and submits with two after photos", func(t *testing.T) {
			r := s.DoUpload(principal, attachStep,
				map[string]any{"in": map[string]any{"id": id, "action": "SUBMIT", "note": "整改后", "attachments": []any{nil, nil}}},
				map[string]apitest.File{
					"variables.in.attachments.0": {Name: "after-1.png", Content: photo},
					"variables.in.attachments.1": {Name: "after-2.pdf", Content: []byte("%PDF-1.4\n% report\n")},
				})
			require.Empty(t, r.Errors)
			r.Decode(t, &out)
			last := out.TransitionHazard.Hazard.Timeline[len(out.TransitionHazard.Hazard.Timeline)-1]
			require.Equal(t, "SUBMIT", last.Action)
			require.Len(t, last.Files, 2)
		})

		for _, c := range []struct {
			user   string
			status int
		}{
			{"cement.principal", 200}, {"county.head", 200}, {"auditor.county", 200},
			{"chengguan.head", 404}, {"neighbor.secretary", 404},
		} {
			t.Run(c.user+" downloading the before photo gets "+map[int]string{200: "it", 404: "not found"}[c.status], func(t *testing.T) {
				res, body := s.Get(s.As(c.user), url)
				require.Equal(t, c.status, res.StatusCode)
				if c.status == 200 {
					require.Equal(t, photo, body)
				}
			})
		}
		t.Run("without a token the photo is not served", func(t *testing.T) {
			res, _ := s.Get("", url)
			require.Equal(t, 401, res.StatusCode)
		})
	})
}
