-- Hand-written: fills the columns 0032_hazard_deciders added from the history
-- the hazards already have, so that the rules of docs/HAZARDS.md ("who decided
-- what") hold for hazards written before them. The current assignment's
-- assigner is that of the hazard's latest assignment; the supervising unit is
-- the unit of the post under which the latest SUPERVISE was taken (left NULL
-- when no such post is recorded: the service then lets only the tenant root
-- lift it); the submitter of what awaits a decision and the requester of a
-- pending extension are the actors of the latest SUBMIT / SUBMIT_PLAN and
-- REQUEST_EXTENSION events.
UPDATE hazards SET assigner_id = (
  SELECT a.assigner_id FROM hazard_assignments a
  WHERE a.hazard_id = hazards.id ORDER BY a.assigned_at DESC, a.id DESC LIMIT 1)
WHERE assignee_id IS NOT NULL;
UPDATE hazards SET supervisor_id = (
  SELECT p.unit_id FROM hazard_events e JOIN posts p ON p.id = e.post_id
  WHERE e.hazard_id = hazards.id AND e.action = 'SUPERVISE' ORDER BY e.at DESC, e.id DESC LIMIT 1)
WHERE supervised;
UPDATE hazards SET submitted_by_id = (
  SELECT e.actor_id FROM hazard_events e
  WHERE e.hazard_id = hazards.id AND e.action = CASE hazards.state WHEN 'PLAN_SUBMITTED' THEN 'SUBMIT_PLAN' ELSE 'SUBMIT' END
  ORDER BY e.at DESC, e.id DESC LIMIT 1)
WHERE state IN ('PLAN_SUBMITTED', 'SUBMITTED');
UPDATE hazards SET extension_requested_by_id = (
  SELECT e.actor_id FROM hazard_events e
  WHERE e.hazard_id = hazards.id AND e.action = 'REQUEST_EXTENSION' ORDER BY e.at DESC, e.id DESC LIMIT 1)
WHERE requested_deadline IS NOT NULL;
