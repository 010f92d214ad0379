// Sync: delete project nodes that are no longer in the graph (or whose label changed: they are
// then created again), with every relationship attached to them.
// Parameters: $ids = ["site:...", ...] (node ids, from the comparison of the database with the graph).
// Scope: only nodes labelled :MGNode; nothing else in the database is touched.
// Run by: minerals-graph neo4j load   (batched like the load)
UNWIND $ids AS id
MATCH (n:MGNode {id: id})
DETACH DELETE n
