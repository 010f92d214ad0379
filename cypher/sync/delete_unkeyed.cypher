// Sync: delete what the loader never creates and the graph cannot hold: project relationships
// without a key, and :MGNode nodes without an id (left by hand edits or other tools).
// Parameters: $types = the schema's relationship types (minerals_graph.schema.EDGE_KINDS).
// Run by: minerals-graph neo4j load   (only when the comparison found such items)
MATCH (:MGNode)-[r]->(:MGNode)
WHERE r.key IS NULL AND type(r) IN $types
DELETE r;

MATCH (n:MGNode)
WHERE n.id IS NULL
DETACH DELETE n;
