<#
.SYNOPSIS
    A noisy, deterministic deployment step in PowerShell, for trying logtrim.

.DESCRIPTION
    Prints what real step scripts print: a banner, thousands of verbose lines (files copied,
    sha256 hashes, timings), progress lines, a few warnings, one retried error, and with -Fail
    an error block and a PowerShell exception with its script stack trace on stderr, then
    exit code 3. Same -Seed, same output (the clock is simulated).

    The database password in the connection line comes from $env:DEPLOY_DB_PASSWORD
    (default s3cr3t-Pa55w0rd), so masking can be tried with --mask-env DEPLOY_DB_PASSWORD.

.EXAMPLE
    pwsh -NoProfile -File samples/deploy.ps1 -Lines 2000 -Fail

.EXAMPLE
    logtrim run -- pwsh -NoProfile -File samples/deploy.ps1 -Fail
#>
[CmdletBinding()]
param(
    [int] $Lines = 20000,
    [switch] $Fail,
    [int] $Seed = 42
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# Console.Out and Console.Error keep the two streams apart and in order, whatever the host:
# Write-Host and Write-Warning go through the host UI and, under Octopus, through Calamari.
$out = [Console]::Out
$err = [Console]::Error

$app = 'payments-gateway'
$version = '3.4.0'
$password = if ($env:DEPLOY_DB_PASSWORD) { $env:DEPLOY_DB_PASSWORD } else { 's3cr3t-Pa55w0rd' }
$rng = [System.Random]::new($Seed)
$script:clock = [datetime]::new(2025, 3, 14, 9, 21, 7, [DateTimeKind]::Utc)

$dirs = @('bin', 'bin\runtimes\win-x64', 'wwwroot\js', 'wwwroot\css', 'Config', 'Migrations', 'Plugins')
$words = @('Payment', 'Refund', 'Card', 'Token', 'Merchant', 'Settlement', 'Fraud', 'Ledger', 'Webhook')
$exts = @('.dll', '.pdb', '.json', '.js', '.css', '.config', '.sql', '.xml')
$warnings = @(
    "WARNING: web.config sets <compilation debug=`"true`"> in production",
    'WARNING: certificate CN=payments.internal expires in 21 days (2025-04-04)',
    'WARNING: package System.Text.Json 6.0.0 has a known vulnerability (GHSA-hh2w-p6rv-4g7w)',
    'WARNING: drive D: has 8% free space (5.0 GB)',
    'WARNING: health check /health took 2,515 ms (threshold 2,000 ms)'
)

function Get-Stamp {
    $script:clock = $script:clock.AddMilliseconds($rng.Next(1, 41))
    return $script:clock.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", [Globalization.CultureInfo]::InvariantCulture)
}
function Write-Info([string] $Text) { $out.WriteLine("$(Get-Stamp) INFO  $Text") }
function Write-Detail([string] $Text) { $out.WriteLine("$(Get-Stamp) DEBUG $Text") }
function Get-Pick([object[]] $Items) { return $Items[$rng.Next(0, $Items.Length)] }
function Get-Sha {
    $bytes = [byte[]]::new(32)
    $rng.NextBytes($bytes)
    return [BitConverter]::ToString($bytes).Replace('-', '').ToLowerInvariant()
}

function Invoke-SmokeTest([string] $Url) {
    throw [System.InvalidOperationException]::new(
        "POST $Url returned 500: Invalid column name 'SettlementRegion'. " +
        "(Server=sql-02.internal;Database=Payments;User Id=deploy;Password=$password)")
}

$rule = '=' * 72
$out.WriteLine($rule)
$out.WriteLine("  Deploying $app $version to Production")
$out.WriteLine('  Target: WEB-PROD-04 (win-x64)  Release: 2025.03.14.3')
$out.WriteLine($rule)
Write-Info "PowerShell $($PSVersionTable.PSVersion), working directory $PWD"
Write-Info "Connecting to Server=sql-01.internal;Database=Payments;User Id=deploy;Password=$password"

$files = [int][math]::Floor($Lines * 0.94 / 2)
$every = [math]::Max([int][math]::Floor($files / 5), 40)
Write-Info "Extracting $app.$version.nupkg to D:\Apps\$app\$version"
for ($i = 1; $i -le $files; $i++) {
    $path = "$(Get-Pick $dirs)\$(Get-Pick $words)$(Get-Pick $words)$(Get-Pick $exts)"
    Write-Detail "copy $path -> D:\Apps\$app\current\$path ($($rng.Next(300, 4000000)) bytes, $($rng.Next(0, 90)) ms)"
    Write-Detail "  sha256 $(Get-Sha)  $path"
    if ($i % 500 -eq 0) { Write-Info "Copied $i of $files files" }
    if ($i % $every -eq [math]::Floor($every / 2)) {
        $out.WriteLine($warnings[[math]::Floor($i / $every) % $warnings.Length])
    }
}
Write-Info "Copied $files files"

$chunks = [math]::Max([int][math]::Floor($Lines / 20), 20)
Write-Info "Uploading package to \\fileshare.internal\packages ($chunks chunks)"
$last = -1
for ($i = 1; $i -le $chunks; $i++) {
    $chunk = 'chunk-{0:D4}' -f $i
    if ($i -eq [math]::Floor($chunks / 3)) {
        # One transient error, retried: the step still succeeds.
        $out.WriteLine("$(Get-Stamp) ERROR upload of $chunk failed: System.IO.IOException: Unable to read data from the transport connection; retrying (1/3)")
        Write-Detail "PUT /packages/$app/$version/$chunk 200 OK in 611 ms (retry 1)"
    }
    else {
        Write-Detail "PUT /packages/$app/$version/$chunk 200 OK in $($rng.Next(12, 480)) ms"
    }
    $pct = [math]::Floor($i * 100 / $chunks)
    if ($pct -ne $last -and $pct % 5 -eq 0) {
        $last = $pct
        $out.WriteLine("Uploading package $pct%")
        $out.Flush()
    }
}
Write-Info 'Upload complete'

$steps = 40
Write-Info "Running $steps database migrations"
for ($i = 1; $i -le $steps; $i++) {
    $out.WriteLine("[$i/$steps] Applying migration $(20240100 + $i * 37)_$(Get-Pick $words)$(Get-Pick $words)")
    $out.Flush()
    $n = $rng.Next(2, 7)
    for ($j = 0; $j -lt $n; $j++) {
        Write-Detail "  SQL ALTER TABLE dbo.$(Get-Pick $words)s ... $($rng.Next(1, 900)) ms"
    }
}
Write-Info 'Migrations applied'

$drain = [math]::Max([int][math]::Floor($Lines / 150), 5)
foreach ($node in @('WEB-PROD-03', 'WEB-PROD-04')) {
    Write-Info "Draining $node from the load balancer"
    for ($left = $drain; $left -gt 0; $left--) {
        $out.WriteLine("Waiting for connections to drain on $node (open: $left)")
    }
    Write-Info "Restarting app pool $app on $node"
    Write-Info "$node is healthy"
}

if ($Fail) {
    Write-Info 'Running smoke tests against https://payments.internal'
    Write-Detail 'GET /health -> 200'
    $out.WriteLine("$(Get-Stamp) ERROR Smoke test failed: POST /api/settlements returned 500")
    $out.WriteLine("ERROR:   migration 20241617_SettlementRegion was applied on sql-01 but not on sql-02")
    $out.WriteLine("ERROR:   rolling back $app to 3.3.2")
    $out.Flush()
    try {
        Invoke-SmokeTest 'https://payments.internal/api/settlements'
    }
    catch {
        $err.WriteLine("$($_.Exception.GetType().FullName): $($_.Exception.Message)")
        $err.WriteLine($_.ScriptStackTrace)
        $err.Flush()
        exit 3
    }
}
Write-Info "Deployment of $app $version to Production succeeded"
$out.Flush()
exit 0
