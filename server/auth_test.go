package server_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apitest"
)

// TestTokensAreCheckedOnEveryRequest covers the attacks that need the whole
// server: the token's signature and claims are checked by internal/auth's own
// tests; here the server must also refuse well-signed tokens that lie.
func TestTokensAreCheckedOnEveryRequest(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		ctx := authz.SystemContext(t.Context())
		demo := s.DB.Client.Tenant.Query().Where(tenant.Code("demo")).OnlyX(ctx)
		neighborUser := s.DB.Client.User.Query().Where(user.Username("neighbor.secretary")).OnlyX(ctx)
		const probe = `{ enterprises { totalCount } }`

		t.Run("a token naming another tenant's user with this tenant's id is refused", func(t *testing.T) {
			forged, _, err := s.App.Auth.Tokens.Issue(neighborUser.ID, demo.ID, "session")
			require.NoError(t, err)
			require.Equal(t, "UNAUTHENTICATED", s.Do(forged, probe, nil).Code())
		})
		t.Run("a token for a user id that does not exist is refused", func(t *testing.T) {
			forged, _, err := s.App.Auth.Tokens.Issue(1<<40, demo.ID, "session")
			require.NoError(t, err)
			require.Equal(t, "UNAUTHENTICATED", s.Do(forged, probe, nil).Code())
		})
		t.Run("an expired token is refused", func(t *testing.T) {
			token := s.As("county.head")
			require.Empty(t, s.Do(token, probe, nil).Errors)
			s.Clock.Set(time.Now().Add(16 * time.Minute))
			defer s.Clock.Set(time.Time{})
			require.Equal(t, "UNAUTHENTICATED", s.Do(token, probe, nil).Code())
		})
		t.Run("a header that is not a bearer token is refused", func(t *testing.T) {
			res, body := s.DoRaw("", "application/json", []byte(`{"query":"{ me { user { username } } }"}`))
			require.Equal(t, 200, res.StatusCode)
			require.Contains(t, string(body), "UNAUTHENTICATED")
		})
		t.Run("login and refresh work without a token, and the refreshed token works", func(t *testing.T) {
			var out struct {
				Login struct{ RefreshToken string } `json:"login"`
			}
			s.MustDo("", `mutation { login(input: {tenant: "demo", username: "xihe.deputy", password: "dutychain-demo"}) { refreshToken } }`, nil).Decode(t, &out)
			var ref struct {
				RefreshToken struct{ AccessToken, RefreshToken string } `json:"refreshToken"`
			}
			s.MustDo("", `mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken refreshToken } }`,
				map[string]any{"t": out.Login.RefreshToken}).Decode(t, &ref)
			require.Empty(t, s.Do(ref.RefreshToken.AccessToken, probe, nil).Errors)
			t.Run("and reusing the first refresh token revokes the family", func(t *testing.T) {
				r := s.Do("", `mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken } }`, map[string]any{"t": out.Login.RefreshToken})
				require.Equal(t, "UNAUTHENTICATED", r.Code())
				r = s.Do("", `mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken } }`, map[string]any{"t": ref.RefreshToken.RefreshToken})
				require.Equal(t, "UNAUTHENTICATED", r.Code(), "the newest token of the family is revoked too")
			})
		})
		t.Run("an unknown user and a wrong password get the same answer", func(t *testing.T) {
			a := s.Do("", `mutation { login(input: {tenant: "demo", username: "nobody", password: "whatever-123"}) { accessToken } }`, nil)
			b := s.Do("", `mutation { login(input: {tenant: "demo", username: "county.head", password: "whatever-123"}) { accessToken } }`, nil)
			c := s.Do("", `mutation { login(input: {tenant: "nowhere", username: "county.head", password: "whatever-123"}) { accessToken } }`, nil)
			require.Equal(t, "UNAUTHENTICATED", a.Code())
			require.Equal(t, a.Errors[0].Message, b.Errors[0].Message)
			require.Equal(t, a.Errors[0].Message, c.Errors[0].Message)
		})
	})
}
