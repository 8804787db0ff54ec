package synth

import (
	"math/rand/v2"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/letters"
)

// letterRec is one planned responsibility letter; its ids and scope come
// from the units once the ids are known.
type letterRec struct {
	issuer, signee unitRef
	state          domain.LetterState
	// signed is how many of letters.RequiredRoles(signee kind) signed, in that order.
	signed   int
	created  time.Time
	issued   time.Time
	signs    []time.Time
	archived time.Time
	revoked  time.Time
	reason   string
}

// Letter states, cumulative probabilities (docs/PERFORMANCE.md): 0.5 %
// revoked without a new letter, 1 % revoked and signed again, 3 % DRAFT,
// 7 % ISSUED, 3 % PARTIALLY_SIGNED (government signees; ISSUED otherwise),
// 45.5 % SIGNED, the rest (40 %) ARCHIVED.
const (
	pRevoked, pReissued, pDraft, pIssued, pPartial, pSigned = 0.005, 0.015, 0.045, 0.115, 0.145, 0.60
)

// issueMonth is when letters from a unit of kind are issued: the city and
// the county in January, towns in February, enterprises in March.
func issueMonth(k domain.UnitKind) time.Month {
	switch k {
	case domain.KindCity, domain.KindCounty:
		return time.January
	case domain.KindTown, domain.KindDepartment:
		return time.February
	}
	return time.March
}

// drawLetters appends the letter(s) of one (issuer, signee) pair of the
// year: usually one; a revoked letter and its signed replacement sometimes.
func drawLetters(out []letterRec, r *rand.Rand, year int, issuer, signee unitRef) []letterRec {
	day := func(t time.Time, lo, hi int) time.Time {
		return t.Add(time.Duration(lo*24+r.IntN((hi-lo)*24+1)) * time.Hour)
	}
	issued := time.Date(year, issueMonth(issuer.kind), 2+r.IntN(25), 8+r.IntN(9), r.IntN(60), 0, 0, time.UTC)
	l := letterRec{issuer: issuer, signee: signee, created: issued.Add(-48 * time.Hour), issued: issued}
	need := len(letters.RequiredRoles(signee.kind))
	sign := func(l *letterRec, n int) {
		at := l.issued
		for range n {
			at = day(at, 1, 10)
			l.signs = append(l.signs, at)
		}
		l.signed = n
	}
	u := r.Float64()
	switch {
	case u < pRevoked, u < pReissued:
		l.state, l.revoked = domain.LetterRevoked, day(issued, 10, 30)
		l.reason = revokeReasons[r.IntN(len(revokeReasons))]
		out = append(out, l)
		if u < pRevoked {
			return out
		}
		next := letterRec{issuer: issuer, signee: signee, state: domain.LetterSigned, issued: day(l.revoked, 1, 5)}
		next.created = next.issued.Add(-24 * time.Hour)
		sign(&next, need)
		return append(out, next)
	case u < pDraft:
		l.state = domain.LetterDraft
		l.issued = time.Time{}
	case u < pIssued:
		l.state = domain.LetterIssued
	case u < pPartial && need > 1:
		l.state = domain.LetterPartiallySigned
		sign(&l, 1)
	case u < pPartial:
		l.state = domain.LetterIssued
	case u < pSigned:
		l.state = domain.LetterSigned
		sign(&l, need)
	default:
		l.state = domain.LetterArchived
		sign(&l, need)
		l.archived = day(l.signs[len(l.signs)-1], 5, 30)
	}
	return append(out, l)
}

// planLetters plans a county's annual chain: county → towns and
// departments, towns → their enterprises, enterprises → their workshops, in
// that order, cut at the county's share of Options.Letters.
func planLetters(p *plan, cp *countyPlan) []letterRec {
	o := p.opts
	if o.Letters == 0 {
		return nil
	}
	limit := -1
	if o.Letters > 0 {
		limit = Share(o.Letters, o.Counties, cp.c)
	}
	r := newRand(o.Seed, cp.c, streamLetters)
	var out []letterRec
	add := func(issuer, signee unitRef) bool {
		if limit >= 0 && len(out) >= limit {
			return false
		}
		out = drawLetters(out, r, p.letterYear, issuer, signee)
		if limit >= 0 && len(out) > limit {
			out = out[:limit] // a cut replacement leaves the revoked letter
		}
		return true
	}
	county := unitRef{kind: domain.KindCounty, cp: cp}
	for t := range cp.towns {
		if !add(county, unitRef{kind: domain.KindTown, cp: cp, i: t}) {
			return out
		}
	}
	for d := range cp.depts {
		if !add(county, unitRef{kind: domain.KindDepartment, cp: cp, i: d}) {
			return out
		}
	}
	for k, e := range cp.ents {
		if !add(unitRef{kind: domain.KindTown, cp: cp, i: e.town}, unitRef{kind: domain.KindEnterprise, cp: cp, i: k}) {
			return out
		}
	}
	for k := range cp.ents {
		for w := range cp.w {
			if !add(unitRef{kind: domain.KindEnterprise, cp: cp, i: k}, unitRef{kind: domain.KindWorkshop, cp: cp, i: k, w: w}) {
				return out
			}
		}
	}
	return out
}

// planCityLetters are the city's letters to its counties.
func planCityLetters(p *plan) []letterRec {
	r := newRand(p.opts.Seed, 0, streamLetters)
	var out []letterRec
	for _, cp := range p.counties {
		out = drawLetters(out, r, p.letterYear, unitRef{kind: domain.KindCity}, unitRef{kind: domain.KindCounty, cp: cp})
	}
	return out
}
