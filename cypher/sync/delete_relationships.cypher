// Sync: delete project relationships whose key is no longer in the graph.
// Parameters: $rows = [{source_id: ..., target_id: ..., type: "PRODUCES", key: "r3f2a…"}]
//   type is one of the schema's relationship types (minerals_graph.schema.EDGE_KINDS), read back
//   from the database; it is a parameter, compared with type(r), never formatted into the text.
// Scope: only relationships between :MGNode nodes, matched by both ends, type and key.
// Run by: minerals-graph neo4j load   (batched like the load)
UNWIND $rows AS row
MATCH (a:MGNode {id: row.source_id})-[r {key: row.key}]->(b:MGNode {id: row.target_id})
WHERE type(r) = row.type
DELETE r
