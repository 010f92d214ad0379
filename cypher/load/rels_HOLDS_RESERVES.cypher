// Load HOLDS_RESERVES relationships (Country -> Commodity): Reserves by country (USGS world tables).
// Parameters: $rows = [{source_id: ..., target_id: ..., key: "e123", props: {kind: "HOLDS_RESERVES", ...}}]
//   key is the edge key of the networkx graph: several HOLDS_RESERVES relationships may join the same
//   two nodes (e.g. one per year), and the key keeps them apart.
// Idempotent: MERGE on the key, then SET += (a second load changes no counts).
UNWIND $rows AS row
MATCH (a:MGNode {id: row.source_id})
MATCH (b:MGNode {id: row.target_id})
MERGE (a)-[r:HOLDS_RESERVES {key: row.key}]->(b)
SET r += row.props
