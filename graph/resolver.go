// Package graph holds the gqlgen executable schema and thin resolvers: they
// translate GraphQL input to the services (internal/org, internal/auth,
// authz.Store) and let ent's privacy layer scope every read.
package graph

import (
	"context"
	"errors"

	"github.com/hashicorp/go-multierror"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/dashboard"
	"github.com/dutychain/dutychain/internal/education"
	"github.com/dutychain/dutychain/internal/emergency"
	"github.com/dutychain/dutychain/internal/enforcement"
	"github.com/dutychain/dutychain/internal/events"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/hazards"
	"github.com/dutychain/dutychain/internal/imports"
	"github.com/dutychain/dutychain/internal/inspections"
	"github.com/dutychain/dutychain/internal/letters"
	"github.com/dutychain/dutychain/internal/notices"
	"github.com/dutychain/dutychain/internal/notify"
	"github.com/dutychain/dutychain/internal/org"
	"github.com/dutychain/dutychain/internal/organisation"
	"github.com/dutychain/dutychain/internal/prevention"
	"github.com/dutychain/dutychain/internal/readiness"
	"github.com/dutychain/dutychain/internal/staffing"
	"github.com/dutychain/dutychain/internal/summary"
	"github.com/dutychain/dutychain/internal/tally"
)

// Resolver is the root resolver; one per server.
type Resolver struct {
	Client  *ent.Client
	Org     *org.Service
	Hazards *hazards.Service
	// Inspections runs checklists, campaigns, random draws and inspections.
	Inspections *inspections.Service
	Auth        *auth.Service
	Policy      *authz.Store
	// Letters runs responsibility letters and their coverage.
	Letters *letters.Service
	// NoticeService runs notices, their receipts and the receipt coverage.
	NoticeService *notices.Service
	// Organisation records leadership groups and meetings.
	Organisation *organisation.Service
	// Education records trainings and publicity and answers their coverage.
	Education *education.Service
	// Staffing records certificates and duty lists and answers their views.
	Staffing *staffing.Service
	// Emergency records emergency plans and drills and answers drill compliance.
	Emergency *emergency.Service
	// Readiness records duty rosters, rescue teams and material reserves.
	Readiness *readiness.Service
	// Prevention runs risk points, their checks and the risk map.
	Prevention *prevention.Service
	// Summary writes the yearly work summary from the data.
	Summary *summary.Service
	// Dashboard answers the dashboard from the views above.
	Dashboard *dashboard.Service
	// Enforcement records enforcement actions and their steps.
	Enforcement *enforcement.Service
	// Tally answers hazard totals and counts from the hazard tallies; nil:
	// they are counted on the hazards.
	Tally *tally.Counter
	// Notifications reads and marks the caller's notifications.
	Notify *notify.Service
	// Imports runs the directory import jobs.
	Imports *imports.Service
	// MaxIDs caps nodes(ids:).
	MaxIDs int
	// FileURLs signs File.url for the caller; nil: the plain download path.
	FileURLs *files.URLSigner
	// Events feeds the subscriptions; nil: subscribing fails.
	Events *events.Bus
	// EventQueue is each subscription's queue length (events); 0: 64.
	EventQueue int
}

// viewer returns the authenticated viewer or UNAUTHENTICATED.
func viewer(ctx context.Context) (*authz.Viewer, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	return v, nil
}

// onlyNotFound reports whether err consists of not-found errors only (ids
// that do not exist or are out of scope), which node/nodes answer with null.
func onlyNotFound(err error) bool {
	var me *multierror.Error
	if errors.As(err, &me) {
		for _, e := range me.Errors {
			if !onlyNotFound(e) {
				return false
			}
		}
		return true
	}
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) && gerr.Extensions["code"] == "NOT_FOUND" {
		return true
	}
	return ent.IsNotFound(err)
}
