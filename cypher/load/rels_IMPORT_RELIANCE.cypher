// Load IMPORT_RELIANCE relationships (Country -> Commodity): Net import reliance of a country on a commodity as published (USGS).
// Parameters: $rows = [{source_id: ..., target_id: ..., key: "e123", props: {kind: "IMPORT_RELIANCE", ...}}]
//   key is the edge key of the networkx graph: several IMPORT_RELIANCE relationships may join the same
//   two nodes (e.g. one per year), and the key keeps them apart.
// Idempotent: MERGE on the key, then SET += (a second load changes no counts).
UNWIND $rows AS row
MATCH (a:MGNode {id: row.source_id})
MATCH (b:MGNode {id: row.target_id})
MERGE (a)-[r:IMPORT_RELIANCE {key: row.key}]->(b)
SET r += row.props
