package authz

import "strings"

// ReadsAllUnder reports whether v certainly reads every object of type typ
// whose path, or issuer path, lies under path (path itself included): the
// system does, and so does one holding a post with no sectors, at the unit
// of path or above it, whose role the policy lets read typ. Parts of a
// record written with the record's path as their issuer path (a training's
// trainees, a notice's receipts; a move rewrites both together) are read by
// such a post through the issuer side whatever their own subject; a stored
// count of them is then exact for v, and counting them again is waste.
func (v *Viewer) ReadsAllUnder(typ, path string) bool {
	if v == nil || path == "" {
		return false
	}
	if v.IsSystem() {
		return true
	}
	for _, g := range v.Grants {
		if g.DirectoryOnly || len(g.Sectors) > 0 || g.Path == "" || !strings.HasPrefix(path, g.Path) {
			continue
		}
		if v.Policy != nil && v.Policy.GrantAllows(g, typ, "read") {
			return true
		}
	}
	return false
}

// TenantRootPath is the path of the tenant root above path: its first
// segment ("/1/" of "/1/5/9/").
func TenantRootPath(path string) string {
	if len(path) < 2 || path[0] != '/' {
		return ""
	}
	i := strings.IndexByte(path[1:], '/')
	if i < 0 {
		return ""
	}
	return path[:i+2]
}
