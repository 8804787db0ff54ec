package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dutychain/dutychain/internal/apperr"
)

// maxAPQDocumentBytes caps a document kept by automatic persisted queries,
// so that the cache holds at most size × 64 KiB. A larger document still
// runs; it is just not remembered.
const maxAPQDocumentBytes = 64 << 10

// apqCache is a bounded LRU of persisted documents by SHA-256 hash.
type apqCache struct{ lru *lru.LRU[string] }

func newAPQCache(size int) apqCache { return apqCache{lru: lru.New[string](size)} }

func (c apqCache) Get(ctx context.Context, hash string) (string, bool) { return c.lru.Get(ctx, hash) }

func (c apqCache) Add(ctx context.Context, hash, doc string) {
	if len(doc) <= maxAPQDocumentBytes {
		c.lru.Add(ctx, hash, doc)
	}
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// LoadPersistedDocuments reads a JSON object of SHA-256 hash (lower-case
// hex) → GraphQL document and checks that every hash is its document's.
func LoadPersistedDocuments(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read persisted documents: %w", err)
	}
	var docs map[string]string
	if err := json.Unmarshal(b, &docs); err != nil {
		return nil, fmt.Errorf("persisted documents %s: want a JSON object of sha256 hash → document: %w", path, err)
	}
	var bad []string
	for hash, doc := range docs {
		if !sha256Hex.MatchString(hash) || documentHash(doc) != hash {
			bad = append(bad, hash)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, fmt.Errorf("persisted documents %s: %d keys are not the lower-case hex SHA-256 of their document, e.g. %q", path, len(bad), bad[0])
	}
	return docs, nil
}

func documentHash(doc string) string {
	h := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(h[:])
}

// PersistedOnly runs only trusted documents, sent as text or by hash
// (extensions.persistedQuery.sha256Hash, as APQ clients do). Anything else,
// including an APQ registration of an unknown document, is refused.
type PersistedOnly struct {
	Documents map[string]string
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = PersistedOnly{}

// ExtensionName implements graphql.HandlerExtension.
func (PersistedOnly) ExtensionName() string { return "DutychainPersistedOnly" }

// Validate implements graphql.HandlerExtension.
func (PersistedOnly) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (p PersistedOnly) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	var hash string
	if pq, ok := raw.Extensions["persistedQuery"].(map[string]any); ok {
		hash, _ = pq["sha256Hash"].(string)
	}
	if raw.Query == "" {
		doc, ok := p.Documents[hash]
		if !ok {
			return notPersisted()
		}
		raw.Query = doc
		return nil
	}
	own := documentHash(raw.Query)
	if hash != "" && hash != own {
		return limitError("PERSISTED_QUERY_HASH_MISMATCH", "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query")
	}
	if _, ok := p.Documents[own]; !ok {
		return notPersisted()
	}
	return nil
}

func notPersisted() *gqlerror.Error {
	return &gqlerror.Error{
		Message:    "this server runs only persisted documents, and this one is not among them",
		Extensions: map[string]any{"code": string(apperr.BadUserInput), "reason": "PERSISTED_QUERY_NOT_IN_LIST"},
	}
}
