package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
)

// TestRateLimitsOverHTTP sends requests until the limit answers, on a clock
// that stands still: the refusal is 429 RATE_LIMITED with Retry-After, a
// colleague and an anonymous caller from the same address go on, and the
// noisy user is admitted again once the clock passes the announced wait.
func TestRateLimitsOverHTTP(t *testing.T) {
	limits := func(c *config.Config) {
		c.RateLimits = config.RateLimits{Enabled: true, UserRate: 1, UserBurst: 3, AddressRate: 1, AddressBurst: 50, MaxBuckets: 1000}
	}
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.Clock.Set(time.Now().UTC())
		noisy, colleague := s.As("admin"), s.As("county.head")
		query := map[string]any{"query": `{ __typename }`}
		var last *http.Response
		var body []byte
		for i := 0; i < 4; i++ {
			last, body = graphQLRequest(t, s, http.MethodPost, noisy, "", query)
		}
		t.Run("the request past the burst is refused with 429 and Retry-After", func(t *testing.T) {
			require.Equal(t, http.StatusTooManyRequests, last.StatusCode, "%s", body)
			require.Equal(t, "1", last.Header.Get("Retry-After"))
			require.Contains(t, string(body), `"code":"RATE_LIMITED"`)
		})
		t.Run("a colleague on the same address is not starved", func(t *testing.T) {
			res, body := graphQLRequest(t, s, http.MethodPost, colleague, "", query)
			require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		})
		t.Run("an anonymous caller from the same address is not starved", func(t *testing.T) {
			res, _ := exchange(t, s.HTTP.URL, http.MethodGet, "/healthz", nil, nil)
			require.Equal(t, http.StatusOK, res.StatusCode)
			res, body := graphQLRequest(t, s, http.MethodPost, "", "", query)
			require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		})
		t.Run("the noisy user is admitted again after the wait", func(t *testing.T) {
			s.Clock.Set(s.Clock.Now().Add(time.Second))
			res, body := graphQLRequest(t, s, http.MethodPost, noisy, "", query)
			require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		})
	}, limits)
}
