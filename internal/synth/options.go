package synth

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// LettersChain is Options.Letters for the full annual chain.
const LettersChain = -1

// Options say what to generate. Totals are divided evenly over the counties
// (see Share); each county is generated from (Seed, county index) alone.
type Options struct {
	// Seed makes the run deterministic: the same seed, options and Now give
	// the same rows (only the ids move when the database already held rows).
	Seed int64
	// Tenant is the tenant code (default "synth"); TenantName its name.
	Tenant, TenantName string
	// Counties: 1 makes the tenant root a COUNTY; more make it a CITY with
	// that many COUNTY children.
	Counties int
	// Towns and Enterprises are totals over all counties; Departments are
	// per county (at most MaxDepartments, one per sector group).
	Towns, Departments, Enterprises int
	// Workshops per enterprise, Teams per workshop.
	Workshops, Teams int
	// Hazards is the total over all counties.
	Hazards int
	// Letters: LettersChain for the full annual chain (county → towns and
	// departments, towns → enterprises, enterprises → workshops, and city →
	// counties), 0 for none, n > 0 for at most n: each county's share of
	// n, the first letters of its chain (and no city letters).
	Letters int
	// Records adds the records of the county's year beside its letters and
	// hazards: each county's and town's notices with their receipts, the
	// trainings with their trainees, the certificates, the posts' duty
	// lists, the emergency plans with their drills, the key periods' duty
	// rosters with their shifts, and the risk points with their control
	// measures and gradings.
	Records bool
	// AllowRealTenants lets the run proceed although the database holds a
	// tenant that is not synthetic.
	AllowRealTenants bool
	// Now is the reference time: hazards are found in the two years before
	// it, letters belong to the year 150 days before it. Zero: today, 00:00 UTC.
	Now time.Time
	// Workers is the number of parallel transactions loading hazards on
	// PostgreSQL (0: the number of CPUs, at most 8); SQLite has one writer.
	Workers int
	// Progress receives a progress bar (a terminal) or one line per table
	// (anything else); nil for silence.
	Progress io.Writer
}

// DefaultOptions are the county scale: 1 county, 20 towns, 6 departments,
// 5,000 enterprises with 2 workshops of 2 teams, 200,000 hazards, the full
// letter chain.
func DefaultOptions() Options {
	return Options{
		Seed: 1, Tenant: "synth", Counties: 1, Towns: 20, Departments: MaxDepartments,
		Enterprises: 5000, Workshops: 2, Teams: 2, Hazards: 200000, Letters: LettersChain,
		Records: true,
	}
}

// Scales are the presets of --scale.
var Scales = []string{"county", "province"}

// ApplyScale sets the totals of a preset: "county" (DefaultOptions) or
// "province" (10 counties, 200 towns, 50,000 enterprises, 2,000,000 hazards).
func (o *Options) ApplyScale(scale string) error {
	d := DefaultOptions()
	switch scale {
	case "county":
		o.Counties, o.Towns, o.Enterprises, o.Hazards = d.Counties, d.Towns, d.Enterprises, d.Hazards
	case "province":
		o.Counties, o.Towns, o.Enterprises, o.Hazards = 10, 200, 50000, 2000000
	default:
		return fmt.Errorf("unknown scale %q (want %s)", scale, strings.Join(Scales, " or "))
	}
	return nil
}

// Share is county c's (1-based) part of total over counties: an even split,
// the remainder going to the first counties.
func Share(total, counties, c int) int {
	n := total / counties
	if c <= total%counties {
		n++
	}
	return n
}

var tenantCode = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// Validate checks the options and names every problem.
func (o Options) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !tenantCode.MatchString(o.Tenant) {
		bad("tenant %q: want 1–32 lower-case letters, digits, - or _", o.Tenant)
	}
	if o.Counties < 1 || o.Counties > 99 {
		bad("counties %d: want 1–99", o.Counties)
	}
	if o.Counties >= 1 {
		if o.Towns < o.Counties {
			bad("towns %d: want at least one per county (%d)", o.Towns, o.Counties)
		}
		if Share(o.Towns, o.Counties, 1) > 999 {
			bad("towns %d: at most 999 per county", o.Towns)
		}
		if Share(o.Enterprises, o.Counties, 1) > 99999 {
			bad("enterprises %d: at most 99,999 per county", o.Enterprises)
		}
	}
	if o.Departments < 0 || o.Departments > MaxDepartments {
		bad("departments %d: want 0–%d per county", o.Departments, MaxDepartments)
	}
	if o.Enterprises < 0 {
		bad("enterprises %d: want ≥ 0", o.Enterprises)
	}
	if o.Workshops < 0 || o.Workshops > 99 || o.Teams < 0 || o.Teams > 99 {
		bad("workshops %d, teams %d: want 0–99 each", o.Workshops, o.Teams)
	}
	if o.Hazards < 0 {
		bad("hazards %d: want ≥ 0", o.Hazards)
	}
	if o.Hazards > 0 && o.Counties >= 1 && Share(o.Enterprises, o.Counties, o.Counties) == 0 {
		bad("hazards need enterprises in every county (enterprises %d, counties %d)", o.Enterprises, o.Counties)
	}
	if o.Workers < 0 || o.Workers > 64 {
		bad("workers %d: want 0 (one per CPU) to 64", o.Workers)
	}
	if o.Letters < LettersChain {
		bad("letters %d: want a count ≥ 0, or the full chain", o.Letters)
	}
	return errors.Join(errs...)
}

// LettersFlag is the flag.Value of --letters: a boolean (--letters,
// --letters=false) or a count (--letters=5000).
type LettersFlag struct{ N *int }

// String implements flag.Value.
func (f LettersFlag) String() string {
	if f.N == nil || *f.N == LettersChain {
		return "true"
	}
	return strconv.Itoa(*f.N)
}

// Set implements flag.Value.
func (f LettersFlag) Set(s string) error {
	if b, err := strconv.ParseBool(s); err == nil {
		*f.N = 0
		if b {
			*f.N = LettersChain
		}
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want true, false or a count ≥ 0")
	}
	*f.N = n
	return nil
}

// IsBoolFlag lets --letters stand alone.
func (f LettersFlag) IsBoolFlag() bool { return true }
