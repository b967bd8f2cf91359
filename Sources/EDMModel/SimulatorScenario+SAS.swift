import EDMBytes
import EDMProvisioning

extension SimulatorScenario {
    /// The attestation the simulated host signs in with for a symmetric-key scenario, signed
    /// against the simulated DPS's enrollment and clock (nil for the X.509 scenarios). The
    /// token is valid for `lifetime` from the host's clock, which `hostSigning` may put off.
    public func sasAttestation(idScope: String, registrationID: String, dps: SimulatedDPS.Configuration = .init(),
                               lifetime: Duration = .seconds(3600)) -> ProvisioningConfiguration.Attestation? {
        guard let signing = hostSigning else { return nil }
        let enrollment = dps.symmetricKeyEnrollment
        let key = signing.usesGroupKey || enrollment.groupID == nil
            ? enrollment.key : SASToken.deviceKey(groupKey: enrollment.key, registrationID: registrationID)
        let expiry = dps.epochSeconds + (signing.clockOffset + lifetime).components.seconds
        return .symmetricKey(token: SASToken(idScope: idScope, registrationID: registrationID, key: key,
            expiry: expiry).text)
    }
}
