-- Regions (issue 16): auth learns each clinic's cluster from clinic.placed on the identity stream.
-- Clinics created before that event existed are announced once here, through admin's own outbox
-- (the relay delivers these rows like any other; auth applies a placement idempotently). The
-- event id is the clinic's id: unique among identity events, and the same if this ever ran twice.
INSERT INTO `event_outbox` (`stream`, `eventId`, `envelope`)
SELECT 'events:identity', `id`, JSON_OBJECT(
    'id', `id`,
    'type', 'clinic.placed',
    'clinicId', `id`,
    'occurredAt', DATE_FORMAT(UTC_TIMESTAMP(3), '%Y-%m-%dT%H:%i:%s.%fZ'),
    'source', 'admin',
    'payload', JSON_OBJECT('clinicId', `id`, 'cluster', `cluster`, 'at', DATE_FORMAT(`createdAt`, '%Y-%m-%dT%H:%i:%s.%fZ'))
  )
FROM `Clinic`
ON DUPLICATE KEY UPDATE `eventId` = `eventId`;
