package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/files/s3test"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
	"github.com/dutychain/dutychain/server"
)

// envReplicaURL names the streaming replica of the test PostgreSQL server
// (scripts/with-postgres.sh --replica, which scripts/test.sh uses).
const envReplicaURL = "DUTYCHAIN_TEST_POSTGRES_READ_URL"

// TestThreeReplicasOnOnePrimaryWithAStreamingReplica runs a deployment of
// three servers on one PostgreSQL primary with a streaming read replica and
// one S3-compatible bucket, behind a round-robin client. The servers run in
// this process, each with its own database pools, policy store, signing key
// cache and bucket client (linking the binary for three processes costs
// more than this test's whole budget); the one thing they share, the count
// cache, is off.
func TestThreeReplicasOnOnePrimaryWithAStreamingReplica(t *testing.T) {
	primaryAdmin, replicaAdmin := os.Getenv(testdb.EnvPostgresURL), os.Getenv(envReplicaURL)
	if primaryAdmin == "" || replicaAdmin == "" {
		t.Skip("no streaming replica configured: run with ./scripts/with-postgres.sh --replica (./scripts/test.sh does)")
	}
	// The time-bounded count cache is process-wide; off, every total is
	// counted by the server that answers.

	ctx, cancel := context.WithCancel(context.Background())
	template := apitest.Demo.Open(t, "postgres")
	var name string
	require.NoError(t, template.SQL.QueryRowContext(ctx, "SELECT current_database()").Scan(&name))
	primaryURL, replicaURL := withDatabase(t, primaryAdmin, name), withDatabase(t, replicaAdmin, name)
	secret := filepath.Join(t.TempDir(), "file-url.secret")
	require.NoError(t, os.WriteFile(secret, bytes.Repeat([]byte("k"), 32), 0o600))
	bucket := s3test.Bucket(t, "three-replicas")
	deployment := func(readURL string) apitest.Option {
		return func(c *config.Config) {
			c.DatabaseURL, c.FilesURL, c.FileURLSecretFile = primaryURL, bucket, secret
			// The suite's other packages create and drop databases on the
			// same primary meanwhile, and the replica replays those copies
			// one by one: under that load it can lag seconds behind. As in
			// the three-process test, the bounds let the read-your-writes
			// subtests see the wait succeed rather than its fallback.
			c.ReadReplica = config.ReadReplica{URL: readURL, MaxLag: time.Minute, Wait: 10 * time.Second}
			c.PolicyPollPeriod = 100 * time.Millisecond
		}
	}
	start := func(readURL string) *apitest.Server {
		d, err := db.Open(ctx, primaryURL, "")
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, d.Close()) })
		s := apitest.Start(t, d, deployment(readURL))
		go s.App.Watch(ctx, primaryURL)
		return s
	}
	servers := []*apitest.Server{start(replicaURL), start(replicaURL), start(replicaURL)}
	t.Cleanup(cancel)
	// The replica replays the new database behind the rest of the WAL, and
	// replay may wait for other tests' queries on the standby up to
	// PostgreSQL's max_standby_streaming_delay (30 s by default).
	unhealthy := func() (string, bool) {
		for _, s := range servers {
			if st := s.DB.Reads.Status(); !st.Healthy {
				return st.Reason, true
			}
		}
		return "", false
	}
	for deadline := time.Now().Add(45 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		reason, waiting := unhealthy()
		if !waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a server still does not read from the replica once it has replayed the new database: %q", reason)
		}
	}
	rr := newRoundRobin(t, servers)
	head := rr.login("county.head", seed.DemoPassword)

	t.Run("a file uploaded through one server downloads through the next", func(t *testing.T) {
		var letters struct {
			ResponsibilityLetters struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		r, _ := rr.mustDo(head, `{ responsibilityLetters(first: 1, where: {year: 2022, stateNEQ: REVOKED}) { edges { node { id } } } }`, nil)
		r.Decode(t, &letters)
		require.Len(t, letters.ResponsibilityLetters.Edges, 1)
		content := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
		r, _ = rr.upload(head, `mutation($id: ID!, $file: Upload!) { attachLetterFile(input: {letterID: $id, file: $file}) { file { id } } }`,
			map[string]any{"id": letters.ResponsibilityLetters.Edges[0].Node.ID, "file": nil},
			map[string]apitest.File{"variables.file": {Name: "签字件.pdf", Content: content}})
		require.Empty(t, r.Errors)
		var out struct {
			AttachLetterFile struct{ File struct{ ID string } }
		}
		r.Decode(t, &out)
		res, body := rr.get(head, "/files/"+out.AttachLetterFile.File.ID)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		require.Equal(t, content, body)
	})

	t.Run("a hazard total is exact right after a write through another server, and read from the replica", func(t *testing.T) {
		const total = `{ hazards { totalCount } }`
		count := func() (int, http.Header) {
			r, h := rr.mustDo(head, total, nil)
			var out struct{ Hazards struct{ TotalCount int } }
			r.Decode(t, &out)
			return out.Hazards.TotalCount, h
		}
		before, _ := count()
		var subject struct {
			Units struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		r, _ := rr.mustDo(head, `{ units(where: {code: "`+seed.CodeCement+`"}) { edges { node { id } } } }`, nil)
		r.Decode(t, &subject)
		require.Len(t, subject.Units.Edges, 1)
		_, written := rr.mustDo(head, `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id } } }`, map[string]any{"in": map[string]any{
			"subjectID": subject.Units.Edges[0].Node.ID, "source": "REPORT", "level": "GENERAL", "category": "消防安全",
			"description": "灭火器过期", "deadline": "2030-01-01T00:00:00Z"}})
		_, ok := db.ParseLSN(written.Get(server.ReadAfterHeader))
		require.True(t, ok, "a write answers its WAL position, got %q", written.Get(server.ReadAfterHeader))
		for range servers {
			after, h := count()
			require.Equal(t, before+1, after)
			require.Equal(t, "replica", h.Get(server.ReadSourceHeader), "the caller's read waits for the replica to replay their write")
		}
	})

	t.Run("the caller's own write is read back at once through every server, from the replica", func(t *testing.T) {
		var subject struct {
			Units struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		r, _ := rr.mustDo(head, `{ units(where: {code: "`+seed.CodePaper+`"}) { edges { node { id } } } }`, nil)
		r.Decode(t, &subject)
		description := fmt.Sprintf("读己之写 %d", time.Now().UnixNano())
		r, _ = rr.mustDo(head, `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id } } }`, map[string]any{"in": map[string]any{
			"subjectID": subject.Units.Edges[0].Node.ID, "source": "REPORT", "level": "GENERAL", "category": "消防安全",
			"description": description, "deadline": "2030-01-01T00:00:00Z"}})
		var out struct {
			ReportHazard struct{ Hazard struct{ ID string } }
		}
		r.Decode(t, &out)
		for i := range servers {
			began := time.Now()
			r, h := rr.mustDo(head, `query($id: ID!) { node(id: $id) { ... on Hazard { description } } }`, map[string]any{"id": out.ReportHazard.Hazard.ID})
			t.Logf("read %d after the write took %s", i+1, time.Since(began))
			var got struct{ Node *struct{ Description string } }
			r.Decode(t, &got)
			require.NotNil(t, got.Node, "the new hazard is found")
			require.Equal(t, description, got.Node.Description)
			require.Equal(t, "replica", h.Get(server.ReadSourceHeader))
		}
	})

	t.Run("a policy change made through one server is effective on the others", func(t *testing.T) {
		admin := rr.login("admin", seed.DemoPassword)
		rule := map[string]any{"r": map[string]any{"role": "ADMIN", "object": "user", "action": "create"}}
		rr.mustDo(admin, `mutation($r: RemovePolicyRuleInput!) { removePolicyRule(input: $r) { rules { role } } }`, rule)
		t.Cleanup(func() {
			rr.mustDo(admin, `mutation($r: AddPolicyRuleInput!) { addPolicyRule(input: $r) { rules { role } } }`, rule)
		})
		for _, s := range servers {
			n := 0
			require.Eventually(t, func() bool {
				n++
				return createUserAs(s, admin, 100*len(s.HTTP.URL)+n).Code() == "FORBIDDEN"
			}, 30*time.Second, 20*time.Millisecond, "the change reaches %s", s.HTTP.URL)
		}
	})

	t.Run("a revoked post is refused on the very next request on every server", func(t *testing.T) {
		user := rr.login("nanshan.head", seed.DemoPassword)
		r, _ := rr.mustDo(user, `{ me { posts { id } } }`, nil)
		var me struct {
			Me struct{ Posts []struct{ ID string } }
		}
		r.Decode(t, &me)
		require.Len(t, me.Me.Posts, 1)
		admin := rr.login("admin", seed.DemoPassword)
		rr.mustDo(admin, `mutation($id: ID!) { endPost(input: {id: $id}) { post { id } } }`, map[string]any{"id": me.Me.Posts[0].ID})
		for range servers {
			r, _ := rr.do(user, `{ me { user { username } } }`, nil)
			require.Equal(t, "UNAUTHENTICATED", r.Code(), "%+v", r.Errors)
		}
	})

	t.Run("a server whose replica cannot serve reads from the primary and says so", func(t *testing.T) {
		s := start(withDatabase(t, replicaAdmin, name+"_missing"))
		require.False(t, s.DB.Reads.Status().Healthy)
		res, body := s.Get("", "/readyz")
		require.Equal(t, http.StatusOK, res.StatusCode, "reads fall back; the server stays ready: %s", body)
		require.Contains(t, string(body), "reads on the primary")
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.HTTP.URL+"/graphql", strings.NewReader(`{"query":"{ me { user { username } } }"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.As("county.head"))
		got, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		got.Body.Close()
		require.True(t, strings.HasPrefix(got.Header.Get(server.ReadSourceHeader), "primary; "), got.Header.Get(server.ReadSourceHeader))
		_, body = getAdmin(t, s, "/metrics")
		require.Equal(t, "0", metric(string(body), "dutychain_db_replica_healthy"), fmt.Sprintf("%.300s", body))
	})
}

// getAdmin fetches path from the server's admin listener.
func getAdmin(t *testing.T, s *apitest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(s.Admin.URL + path)
	require.NoError(t, err)
	defer res.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(res.Body)
	require.NoError(t, err)
	return res, buf.Bytes()
}
