Gem::Specification.new do |s|
  s.name = "ledger"
  s.version = "0.3.0"
  s.summary = "In-house bookkeeping helpers"
  s.authors = ["Acme"]
  s.files = []
  s.license = "MIT"
  s.add_dependency "rack", ">= 2.2"
end
