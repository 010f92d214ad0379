// Load SUPPLIES relationships (Site, Facility -> Site, Facility): A cited feed or offtake relation.
// Parameters: $rows = [{source_id: ..., target_id: ..., key: "e123", props: {kind: "SUPPLIES", ...}}]
//   key is the edge key of the networkx graph: several SUPPLIES relationships may join the same
//   two nodes (e.g. one per year), and the key keeps them apart.
// Idempotent: MERGE on the key, then SET += (a second load changes no counts).
UNWIND $rows AS row
MATCH (a:MGNode {id: row.source_id})
MATCH (b:MGNode {id: row.target_id})
MERGE (a)-[r:SUPPLIES {key: row.key}]->(b)
SET r += row.props
