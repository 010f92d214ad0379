// Replace: delete every project node (:MGNode) with its relationships, one batch at a time,
// before a fresh load. Run repeatedly until it reports fewer than $limit deleted.
// Parameters: $limit (nodes per transaction, e.g. 1000).
// Scope: only nodes labelled :MGNode; nothing else in the database is touched.
// Run by: minerals-graph neo4j load --replace
MATCH (n:MGNode)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
