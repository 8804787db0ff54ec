package authz

import (
	"context"
	"strings"
	"sync/atomic"
)

// ViewerChanges notes whether a request sent a statement that may bump viewer
// generations: one that writes users, posts, refresh_tokens, units or
// tenants (the tables whose triggers bump them, or cascade to them). Such a
// request runs ViewerBarrier before it answers.
type ViewerChanges struct{ wrote atomic.Bool }

type viewerChangesKey struct{}

// TrackViewerChanges returns ctx carrying a new ViewerChanges.
func TrackViewerChanges(ctx context.Context) (context.Context, *ViewerChanges) {
	vc := &ViewerChanges{}
	return context.WithValue(ctx, viewerChangesKey{}, vc), vc
}

// TrackingViewerChanges reports whether ctx already carries a ViewerChanges.
func TrackingViewerChanges(ctx context.Context) bool {
	_, ok := ctx.Value(viewerChangesKey{}).(*ViewerChanges)
	return ok
}

// Wrote reports whether a statement noted may have bumped a generation.
func (vc *ViewerChanges) Wrote() bool { return vc != nil && vc.wrote.Load() }

// NoteStatement marks the ViewerChanges of ctx, if any, when query writes
// one of the viewer tables. The database driver calls it for every
// statement; a read costs one byte comparison.
func NoteStatement(ctx context.Context, query string) {
	if query == "" {
		return
	}
	switch query[0] {
	case 'I', 'U', 'D', 'i', 'u', 'd':
	default:
		return
	}
	if !WritesViewerTable(query) {
		return
	}
	if vc, _ := ctx.Value(viewerChangesKey{}).(*ViewerChanges); vc != nil {
		vc.wrote.Store(true)
	}
}

// viewerTables are the tables whose writes bump viewer generations
// (migration 0023_viewer_generations), and tenants, whose deletion cascades
// to them.
var viewerTables = []string{"users", "posts", "refresh_tokens", "units", "tenants"}

// WritesViewerTable reports whether query, as ent writes statements
// (`INSERT INTO "t"`, `UPDATE "t"`, `DELETE FROM "t"`, quoted or not),
// writes one of the viewer tables.
func WritesViewerTable(query string) bool {
	var rest string
	for _, verb := range []string{"INSERT INTO ", "UPDATE ", "DELETE FROM "} {
		if len(query) >= len(verb) && strings.EqualFold(query[:len(verb)], verb) {
			rest = strings.TrimLeft(query[len(verb):], " ")
			break
		}
	}
	if rest == "" {
		return false
	}
	rest = strings.TrimLeft(rest, "\"`")
	for _, t := range viewerTables {
		if len(rest) >= len(t) && strings.EqualFold(rest[:len(t)], t) {
			if len(rest) == len(t) {
				return true
			}
			switch rest[len(t)] {
			case '"', '`', ' ', '(', '\n', '\t':
				return true
			}
		}
	}
	return false
}
