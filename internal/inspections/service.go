// Package inspections records checklist templates, campaigns (专项整治),
// random draws (双随机) and inspections (执法检查), with the hazards an
// inspection finds (created through package hazards). Each operation
// validates its input and runs in one transaction; creates go through the
// ent scope hooks (tenant stamping, jurisdiction check).
package inspections

import (
	"time"

	"github.com/dutychain/dutychain/ent"
)

// Service performs the inspection, campaign, draw and template mutations.
type Service struct {
	Client *ent.Client
	Now    func() time.Time
}
