package server_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
)

const meDoc = `{ me { user { id username } posts { id } } }`

type meOut struct {
	Me struct {
		User  struct{ ID, Username string }
		Posts []struct{ ID string }
	}
}

// loginFresh signs username in on s (a new session, not the cached token).
func loginFresh(t *testing.T, s *apitest.Server, username string) string {
	t.Helper()
	var out struct{ Login struct{ AccessToken string } }
	s.MustDo("", `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{"tenant": "demo", "username": username, "password": seed.DemoPassword}}).Decode(t, &out)
	return out.Login.AccessToken
}

func me(t *testing.T, s *apitest.Server, token string) meOut {
	t.Helper()
	var out meOut
	s.MustDo(token, meDoc, nil).Decode(t, &out)
	return out
}

func unitIDByCode(t *testing.T, s *apitest.Server, token, code string) string {
	t.Helper()
	var out struct {
		Units struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	s.MustDo(token, `query($c: String!) { units(where: {code: $c}) { edges { node { id } } } }`, map[string]any{"c": code}).Decode(t, &out)
	require.Len(t, out.Units.Edges, 1)
	return out.Units.Edges[0].Node.ID
}

// TestTheNextRequestSeesEveryChangeOnEveryReplica runs two servers on one
// database, as two replicas are, each keeping the viewers it has seen. Every
// change to what a user may do — made through the other server, or by SQL
// behind both — holds on the very next request, and a post that starts later
// grants its rights from its start without any write.
func TestTheNextRequestSeesEveryChangeOnEveryReplica(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		a, b := apitest.Serve(t, d), apitest.Serve(t, d)
		admin := a.As("admin")
		ctx := context.Background()

		t.Run("a post granted through one server counts on the other's next request", func(t *testing.T) {
			user := loginFresh(t, a, "nanshan.head")
			before := me(t, b, user) // b keeps the viewer now
			require.Len(t, before.Me.Posts, 1)
			a.MustDo(admin, `mutation($in: CreatePostInput!) { createPost(input: $in) { post { id } } }`, map[string]any{"in": map[string]any{
				"userID": before.Me.User.ID, "unitID": unitIDByCode(t, a, admin, "TOWN-CG"), "role": "INSPECTOR", "title": "驻点监管员"}})
			require.Len(t, me(t, b, user).Me.Posts, 2)
		})

		t.Run("a post ended through one server is gone on the other's next request", func(t *testing.T) {
			user := loginFresh(t, a, "nanshan.head")
			posts := me(t, b, user).Me.Posts
			require.Len(t, posts, 2)
			a.MustDo(admin, `mutation($id: ID!) { endPost(input: {id: $id}) { post { id } } }`, map[string]any{"id": posts[1].ID})
			require.Len(t, me(t, b, user).Me.Posts, 1)
		})

		t.Run("a session ended through one server is refused on the other's next request", func(t *testing.T) {
			user := loginFresh(t, a, "chengguan.head")
			me(t, b, user)
			a.MustDo(user, `mutation { logout(input: {}) { loggedOut } }`, nil)
			require.Equal(t, "UNAUTHENTICATED", b.Do(user, meDoc, nil).Code())
		})

		t.Run("a user disabled by SQL behind both servers is refused on the next request", func(t *testing.T) {
			user := loginFresh(t, a, "xihe.head")
			id := me(t, b, user).Me.User.ID
			me(t, a, user)
			_, err := d.SQL.ExecContext(ctx, `UPDATE users SET status = 'DISABLED' WHERE username = 'xihe.head'`)
			require.NoError(t, err)
			t.Cleanup(func() {
				_, err := d.SQL.ExecContext(context.Background(), `UPDATE users SET status = 'ACTIVE' WHERE username = 'xihe.head'`)
				require.NoError(t, err)
			})
			require.NotEmpty(t, id)
			require.Equal(t, "UNAUTHENTICATED", b.Do(user, meDoc, nil).Code())
			require.Equal(t, "UNAUTHENTICATED", a.Do(user, meDoc, nil).Code())
		})

		t.Run("a unit moved in the tree by SQL is read again by every server", func(t *testing.T) {
			user := loginFresh(t, a, "county.head")
			me(t, b, user)
			reloads := b.App.Viewers.Stats().Reloads
			me(t, b, user)
			require.Equal(t, reloads, b.App.Viewers.Stats().Reloads, "an unchanged viewer is served from the cache")
			_, err := d.SQL.ExecContext(ctx, `UPDATE units SET kind = kind || '' WHERE code = 'TOWN-CG'`)
			require.NoError(t, err)
			me(t, b, user)
			require.Equal(t, reloads, b.App.Viewers.Stats().Reloads, "an update that moves nothing changes nothing")
			_, err = d.SQL.ExecContext(ctx, `UPDATE units SET scope_path = scope_path WHERE code = 'TOWN-CG'`)
			require.NoError(t, err)
			_, err = d.SQL.ExecContext(ctx, `UPDATE units SET scope_path = scope_path || '' WHERE code = 'TOWN-CG'`)
			require.NoError(t, err)
			me(t, b, user)
			require.Equal(t, reloads, b.App.Viewers.Stats().Reloads, "a path written with its own value moves nothing")
			_, err = d.SQL.ExecContext(ctx, `UPDATE units SET scope_path = scope_path || 'x' WHERE code = 'TOWN-CG'`)
			require.NoError(t, err)
			_, err = d.SQL.ExecContext(ctx, `UPDATE units SET scope_path = substr(scope_path, 1, length(scope_path) - 1) WHERE code = 'TOWN-CG'`)
			require.NoError(t, err)
			me(t, b, user)
			require.Equal(t, reloads+1, b.App.Viewers.Stats().Reloads, "a moved unit makes every viewer of the tenant be read again")
		})

		t.Run("a post that starts later grants its rights from its start, without a write", func(t *testing.T) {
			user := loginFresh(t, a, "nanshan.head")
			mine := me(t, b, user)
			require.Len(t, mine.Me.Posts, 1)
			start := time.Now().Add(5 * time.Minute)
			a.MustDo(admin, `mutation($in: CreatePostInput!) { createPost(input: $in) { post { id } } }`, map[string]any{"in": map[string]any{
				"userID": mine.Me.User.ID, "unitID": unitIDByCode(t, a, admin, "TOWN-CG"), "role": "INSPECTOR",
				"title": "候任监管员", "validFrom": start.UTC().Format(time.RFC3339)}})
			require.Len(t, me(t, b, user).Me.Posts, 1, "not yet started")
			t.Cleanup(func() { b.Clock.Set(time.Time{}) })
			b.Clock.Set(start.Add(time.Minute))
			require.Len(t, me(t, b, user).Me.Posts, 2, "started: the kept viewer expired at the post's start")
		})
	})
}

// TestAuthenticationCostsOneSmallStatement pins what signing a request in
// costs: one statement, the first time (the viewer) and every time after (the
// two generations the viewer was read at).
func TestAuthenticationCostsOneSmallStatement(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		// The tenant's root path is read once per process, by the first
		// viewer of the tenant.
		s.MustDo(loginFresh(t, s, "county.head"), `{ __typename }`, nil)
		token := loginFresh(t, s, "chengguan.head")
		statements := func() int {
			res, body := s.DoRaw(token, "application/json", []byte(`{"query":"{ __typename }"}`))
			require.Equal(t, 200, res.StatusCode, "%s", body)
			n, err := strconv.Atoi(res.Header.Get("X-SQL-Statements"))
			require.NoError(t, err)
			return n
		}
		require.Equal(t, 1, statements(), "the first request reads the viewer")
		hits := s.App.Viewers.Stats().Hits
		tokens := s.App.Auth.Tokens.Stats()
		for range 3 {
			require.Equal(t, 1, statements(), "later requests read two generations")
		}
		require.Equal(t, hits+3, s.App.Viewers.Stats().Hits)
		remembered := s.App.Auth.Tokens.Stats()
		require.Equal(t, tokens.Remembered+3, remembered.Remembered, "a token verified once is remembered")
		require.Equal(t, tokens.Verified, remembered.Verified, "and not verified again")
		_, body := getAdmin(t, s, "/metrics")
		require.Equal(t, strconv.FormatUint(hits+3, 10), metric(string(body), `dutychain_viewer_cache_total{answer="hit"}`), "the hits are exported")
		require.NotEmpty(t, metric(string(body), "dutychain_viewer_cache_size"))
		require.Equal(t, strconv.FormatUint(remembered.Remembered, 10), metric(string(body), `dutychain_access_tokens_total{check="remembered"}`), "the remembered tokens are exported")
		require.Equal(t, strconv.FormatUint(remembered.Verified, 10), metric(string(body), `dutychain_access_tokens_total{check="verified"}`))
		require.NotEmpty(t, metric(string(body), "dutychain_access_tokens_remembered"))
		st := s.App.Viewers.Stats()
		require.Equal(t, st.GenerationRequests, st.GenerationReads, "one request at a time: one read each")
		require.Equal(t, strconv.FormatUint(st.GenerationReads, 10), metric(string(body), "dutychain_viewer_generation_reads_total"), "the generation reads are exported")
		require.Equal(t, strconv.FormatUint(st.GenerationRequests, 10), metric(string(body), "dutychain_viewer_generation_requests_total"))
	}, func(c *config.Config) { c.StatementHeader = true })
}
