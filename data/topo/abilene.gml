# Abilene, the Internet2 research backbone, about 2004-2007.
#
# Facts, all public: the 11 router points of presence of the Abilene
# Network (Internet2 Abilene backbone maps 2004-2007; the same 11 core
# routers STTL SNVA LOSA DNVR KSCY HSTN CHIN IPLS ATLA WASH NYCM appear in
# the SNDlib "abilene" instance and in Y. Zhang's Abilene traffic-matrix
# topology), the 14 backbone links between them, each OC-192 / 10 Gbit/s
# after the 2003-2004 upgrade.  Coordinates are those of the city centres
# (public gazetteer values, 4 decimals), not of the PoP buildings.  Node ids
# follow the list order; the delays are not given, so cats takes the great
# circle at 2/3 c (docs/topology.md).  No node is marked access: every PoP
# is an access node.
#
# Written for cats by hand from those facts; format: the Topology Zoo GML
# subset read by src/core/topo.c.
Creator "cats data/topo/abilene.gml"
Version "1.0"
graph [
  directed 0
  label "Abilene"
  node [
    id 0
    label "Seattle"
    Latitude 47.6062
    Longitude -122.3321
  ]
  node [
    id 1
    label "Sunnyvale"
    Latitude 37.3688
    Longitude -122.0363
  ]
  node [
    id 2
    label "Los Angeles"
    Latitude 34.0522
    Longitude -118.2437
  ]
  node [
    id 3
    label "Denver"
    Latitude 39.7392
    Longitude -104.9903
  ]
  node [
    id 4
    label "Kansas City"
    Latitude 39.0997
    Longitude -94.5786
  ]
  node [
    id 5
    label "Houston"
    Latitude 29.7604
    Longitude -95.3698
  ]
  node [
    id 6
    label "Chicago"
    Latitude 41.8781
    Longitude -87.6298
  ]
  node [
    id 7
    label "Indianapolis"
    Latitude 39.7684
    Longitude -86.1581
  ]
  node [
    id 8
    label "Atlanta"
    Latitude 33.7490
    Longitude -84.3880
  ]
  node [
    id 9
    label "Washington"
    Latitude 38.9072
    Longitude -77.0369
  ]
  node [
    id 10
    label "New York"
    Latitude 40.7128
    Longitude -74.0060
  ]
  edge [
    source 0
    target 1
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 0
    target 3
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 1
    target 2
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 1
    target 3
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 2
    target 5
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 3
    target 4
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 4
    target 5
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 4
    target 7
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 5
    target 8
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 7
    target 6
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 7
    target 8
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 6
    target 10
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 8
    target 9
    LinkSpeedRaw 10000000000
  ]
  edge [
    source 9
    target 10
    LinkSpeedRaw 10000000000
  ]
]
