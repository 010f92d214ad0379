// Load EXPORT_CONTROL relationships (Country -> Commodity): An export control in force of a country on a commodity (USGS MCS 2026 Table 4).
// Parameters: $rows = [{source_id: ..., target_id: ..., key: "r3f2a…", props: {key: "r3f2a…", kind: "EXPORT_CONTROL", ...}}]
//   key is the edge key of the networkx graph: several EXPORT_CONTROL relationships may join the same
//   two nodes (e.g. one per control type), and the key keeps them apart.
// Idempotent: MERGE on the key, then SET = (a second load changes no counts): the
//   relationship's properties become exactly the graph's (props holds the key too).
UNWIND $rows AS row
MATCH (a:MGNode {id: row.source_id})
MATCH (b:MGNode {id: row.target_id})
MERGE (a)-[r:EXPORT_CONTROL {key: row.key}]->(b)
SET r = row.props
