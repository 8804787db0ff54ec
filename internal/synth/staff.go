package synth

import (
	"fmt"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
)

// Certificates (持证) of each enterprise's staff: its principal's and its
// safety officer's, held by their users — except for pNoPrincipalCert and
// pNoSafetyCert of them, the positions missing one — and its special
// operators', fire-facility operators' and special-equipment operators',
// more in larger enterprises. A certificate was issued between its
// validity plus certLapse days and certFresh days before now, so a few
// have expired and some expire within 30 or 90 days.
const (
	pNoPrincipalCert, pNoSafetyCert = 0.05, 0.08
	certLapse, certFresh            = 60, 30
)

// Duty lists (全员安全生产责任制): every post has one except pNoDutyList;
// pRewritten are in their second version; pUnacknowledged of the lists
// wait for their holder's acknowledgement of the current version.
const (
	pNoDutyList, pRewritten, pUnacknowledged = 0.06, 0.2, 0.08
)

var certificateCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"user_id", "holder_name", "kind", "number", "issuer", "issued_on", "valid_until", "unit_id"}

var dutyListCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"post_id", "version", "items", "written_by_name", "written_at", "acknowledged_version", "acknowledged_at",
	"acknowledged_by_name", "unit_id"}

// certSpec is one kind of certificate: who issues it and for how long.
type certSpec struct {
	kind   domain.CertificateKind
	issuer string
	years  int
}

var (
	certPrincipal = certSpec{domain.CertPrincipal, "浙江省应急管理厅", 3}
	certSafety    = certSpec{domain.CertSafetyManager, "浙江省应急管理厅", 3}
	certOperation = certSpec{domain.CertSpecialOperation, "浙江省应急管理厅", 6}
	certFire      = certSpec{domain.CertFireFacilityOperator, "浙江省消防救援总队", 5}
	certEquipment = certSpec{domain.CertSpecialEquipment, "市场监督管理局", 4}
)

// day is midnight UTC of t's day.
func day(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// writeCertificates writes the certificates of every county's enterprises.
func (p *plan) writeCertificates(l *loader) error {
	l.prog.begin("certificates")
	return l.writeTable("certificates", certificateCols, func(w *tableWriter) error {
		for _, cp := range p.counties {
			r := newRand(p.opts.Seed, cp.c, streamCertificates)
			for k := range cp.ents {
				e := &cp.ents[k]
				n := 0
				cert := func(spec certSpec, holder string, user int, at unitRef) error {
					n++
					u := p.unit(at)
					t, path, sec, ent := p.scope(u)
					span := spec.years*365 + certLapse - certFresh
					issued := day(p.now.AddDate(0, 0, -certFresh-r.IntN(span)))
					until := issued.AddDate(spec.years, 0, -1)
					var uid any
					if user != noUser {
						uid = p.userBase + user
					}
					issuer := spec.issuer
					if spec.kind == domain.CertSpecialEquipment {
						issuer = cp.name + issuer
					}
					number := fmt.Sprintf("%c%07d%02d", 'A'+rune(cp.c%26), e.global, n)
					return w.row(issued, issued, t, path, sec, ent, uid, holder, string(spec.kind), number, issuer, issued, until, u.id)
				}
				ref := entRef(cp, k)
				if r.Float64() >= pNoPrincipalCert {
					if err := cert(certPrincipal, personName(cp.entUser(k, uPrincipal)), cp.entUser(k, uPrincipal), ref); err != nil {
						return err
					}
				}
				if r.Float64() >= pNoSafetyCert {
					if err := cert(certSafety, personName(cp.entUser(k, uSafety)), cp.entUser(k, uSafety), ref); err != nil {
						return err
					}
				}
				// Operators work in the workshops, when there are any.
				at := ref
				if cp.w > 0 {
					at = unitRef{kind: domain.KindWorkshop, cp: cp, i: k, w: r.IntN(cp.w)}
				}
				var extra []certSpec
				for range min(e.employees/30, 8) + r.IntN(2) {
					extra = append(extra, certOperation)
				}
				switch {
				case e.sector == domain.SectorIndustry || e.sector == domain.SectorConstruction:
					extra = append(extra, certEquipment)
				case e.sector == domain.SectorCommerce || e.sector == domain.SectorFuel:
					extra = append(extra, certFire)
				}
				for j, spec := range extra {
					if err := cert(spec, staffName(e.global, j), noUser, at); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// dutyItems are the responsibility items of a duty list by the kind of
// unit of its post.
var dutyItems = map[bool][]string{
	true: {"贯彻落实党中央、国务院和上级关于安全生产的决策部署", "组织研究本地区安全生产重大问题", "督促有关部门和下级政府履行安全生产监管职责",
		"组织开展安全生产检查和隐患排查治理", "组织制定并实施生产安全事故应急救援预案"},
	false: {"建立健全并落实本单位全员安全生产责任制", "组织制定并实施安全生产规章制度和操作规程", "组织制定并实施安全生产教育和培训计划",
		"保证安全生产投入的有效实施", "督促、检查安全生产工作，及时消除生产安全事故隐患", "如实报告生产安全事故"},
}

// writeDutyLists writes a duty list for every synthetic post but a few,
// most acknowledged by their holder.
func (p *plan) writeDutyLists(l *loader) error {
	l.prog.begin("duty lists")
	return l.writeTable("duty_lists", dutyListCols, func(w *tableWriter) error {
		r := newRand(p.opts.Seed, 0, streamDutyLists)
		return p.eachUser(func(us userSpec) error {
			if us.unit.cp != nil && us.index == us.unit.cp.userOff {
				r = newRand(p.opts.Seed, us.unit.cp.c, streamDutyLists) // each county's own stream
			}
			if r.Float64() < pNoDutyList {
				return nil
			}
			u := p.unit(us.unit)
			t, path, sec, ent := p.scope(u)
			gov := us.unit.kind.IsGovernment()
			items := dutyItems[gov]
			writerRole := domain.RolePrincipal
			if gov {
				writerRole = domain.RoleGovernmentHead
			}
			writer := p.actorAt(us.unit, writerRole).name
			written := time.Date(p.letterYear, time.January, 1, 1, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(80*24)) * time.Hour)
			version := 1
			if r.Float64() < pRewritten {
				version = 2
			}
			var ackVersion, ackAt, ackBy any
			acked := written.Add(time.Duration(1+r.IntN(20*24)) * time.Hour)
			switch {
			case r.Float64() >= pUnacknowledged && !acked.After(p.now):
				ackVersion, ackAt, ackBy = version, acked, personName(us.index)
			case version == 2: // acknowledged the first version only
				ackVersion, ackAt, ackBy = 1, written.Add(-24*time.Hour), personName(us.index)
			}
			updated := written
			if a, ok := ackAt.(time.Time); ok && a.After(written) {
				updated = a
			}
			return w.row(written, updated, t, path, sec, ent, p.postBase+us.index, version, jsonStrings(items[:3+us.index%(len(items)-2)]),
				writer, written, ackVersion, ackAt, ackBy, u.id)
		})
	})
}
